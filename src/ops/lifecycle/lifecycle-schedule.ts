/**
 * The scheduled mode of `tributary lifecycle run --every <interval>`: one lifecycle run at once,
 * then one every interval (measured from the start of the previous run), until the signal aborts.
 * A run in progress is finished before stopping (it is crash-safe anyway, but a clean finish keeps
 * the audit log's attempt/outcome pairs whole). A run that fails with a retryable error or because
 * the pipeline is running (`TRB_PIPELINE_BUSY`) is reported and retried at the next tick; any other
 * error stops the loop.
 */
import { isTributaryError } from '../../core/errors.js';
import { PipelineBusy } from '../../engine/errors.js';
import { LifecycleOptionInvalid } from './errors.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Milliseconds of a schedule interval: a positive integer and one unit `s`, `m` (minutes), `h` or
 * `d`, e.g. `1h`, `15m`. Throws `TRB_LIFECYCLE_OPTION_INVALID` for anything else or below 1s.
 */
export function parseScheduleInterval(text: string): number {
  const m = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(text);
  if (!m) throw LifecycleOptionInvalid({ option: '--every', reason: `\`${text}\` is not an interval such as \`1h\`, \`15m\` or \`30s\`` });
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** True for failures the next tick may not repeat. */
export function isRetryableTick(err: unknown): boolean {
  return PipelineBusy.is(err) || (isTributaryError(err) && err.retry === 'backoff');
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Calls `tick` now and then every `intervalMs` until `signal` aborts. A retryable failure (see
 * {@link isRetryableTick}) goes to `onError` and the loop continues; any other is rethrown.
 * Resolves with the number of ticks that succeeded.
 */
export async function runEvery(intervalMs: number, signal: AbortSignal, tick: () => Promise<void>, onError: (err: unknown) => void): Promise<number> {
  let ok = 0;
  while (!signal.aborted) {
    const started = Date.now();
    try {
      await tick();
      ok++;
    } catch (err) {
      if (!isRetryableTick(err)) throw err;
      onError(err);
    }
    await sleep(Math.max(0, started + intervalMs - Date.now()), signal);
  }
  return ok;
}
