/**
 * Gold models during `tributary run --watch`: every `gold.watch_refresh_secs`, when rows landed
 * since the last refresh, the models are rebuilt incrementally (only the days that changed) while
 * the watch keeps loading. One refresh at a time; a failed one is logged and retried at the next
 * tick. The warehouse is the sink's own DuckDB instance (or PostgreSQL), so the refresh reads
 * committed rows only.
 */
import type { Logger } from '../core/component.js';
import { toTributaryError } from '../core/errors.js';
import type { GoldConfig } from './config.js';
import type { GoldReport } from './build-gold.js';

/** A running refresher. */
export interface WatchGoldRefresh {
  /** Stops the timer and waits for a refresh in progress. */
  stop(): Promise<void>;
}

/** Starts refreshing (see the module doc); `landed` reads the run's landed-row count. */
export function watchGoldRefresh(gold: GoldConfig, landed: () => number, build: () => Promise<GoldReport>, log: Logger): WatchGoldRefresh {
  let seen = landed();
  let running: Promise<void> | undefined;
  const tick = (): void => {
    const now = landed();
    if (running || now === seen) return;
    running = build()
      .then((report) => {
        seen = now;
        log.info({ seconds: report.seconds, models: report.models.length }, 'Gold models refreshed');
      })
      .catch((err: unknown) => { log.error({ code: toTributaryError(err).code }, 'Gold models failed; retrying at the next refresh'); })
      .finally(() => { running = undefined; });
  };
  const timer = setInterval(tick, gold.watch_refresh_secs * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
