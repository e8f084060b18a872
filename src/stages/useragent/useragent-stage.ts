/** The `useragent` stage: browser, OS, device and bot columns from the User-Agent header. */
import { isbot, isbotMatch } from 'isbot';
import { UAParser } from 'ua-parser-js';
import { BoundedCache } from '../../core/bounded-cache.js';
import type { ColumnSchema } from '../../core/record.js';
import type { RecordBatch, Stage, StageCallContext } from '../../core/component.js';
import type { StageResult } from '../../core/outcome.js';
import type { UserAgentConfig } from './config.js';
import { KNOWN_BOTS, type BotRule } from './known-bots.js';

const col = (name: string, type: ColumnSchema['type'], description: string): ColumnSchema => Object.freeze({ name, type, nullable: true, description });

/** Columns the stage adds, in order. */
export const USER_AGENT_COLUMNS: readonly ColumnSchema[] = Object.freeze([
  col('ua_browser', 'varchar', 'Browser name (ua-parser-js), e.g. Chrome, Mobile Safari.'),
  col('ua_browser_version', 'varchar', 'Browser version.'),
  col('ua_os', 'varchar', 'Operating system, e.g. Windows, iOS, Android.'),
  col('ua_os_version', 'varchar', 'Operating system version.'),
  col('ua_device_type', 'varchar', 'mobile, tablet, smarttv, console, wearable, embedded, desktop (a known desktop OS), bot, or null.'),
  col('ua_device_vendor', 'varchar', 'Device vendor, e.g. Apple, Samsung.'),
  col('ua_device_model', 'varchar', 'Device model, e.g. iPhone, SM-G991B.'),
  col('is_bot', 'boolean', 'True when the agent is a bot, crawler, monitor, script or attack tool (configured list, isbot).'),
  col('bot_name', 'varchar', 'Name of the bot (configured list, built-in list, else the matching token), null for humans.'),
]);

interface Parsed {
  readonly ua_browser: string | null;
  readonly ua_browser_version: string | null;
  readonly ua_os: string | null;
  readonly ua_os_version: string | null;
  readonly ua_device_type: string | null;
  readonly ua_device_vendor: string | null;
  readonly ua_device_model: string | null;
  readonly is_bot: boolean | null;
  readonly bot_name: string | null;
}

const EMPTY: Parsed = Object.freeze({
  ua_browser: null, ua_browser_version: null, ua_os: null, ua_os_version: null, ua_device_type: null,
  ua_device_vendor: null, ua_device_model: null, is_bot: null, bot_name: null,
});
const DESKTOP_OS = /^(Windows|Mac OS|macOS|Linux|Ubuntu|Debian|Fedora|Chromium OS|FreeBSD|OpenBSD)/;

/**
 * Sets {@link USER_AGENT_COLUMNS} on every record from its `user_agent` (all null when the agent is
 * null or `-`). Parses are cached per worker by agent string (bounded; the oldest entries go first),
 * so a log with a few thousand distinct agents parses each once. Every record passes.
 */
export class UserAgentStage<R = Record<string, unknown>> implements Stage<RecordBatch<R>, RecordBatch<R>> {
  readonly id: string;
  readonly type = 'useragent';
  readonly #cache: BoundedCache<string, Parsed>;
  readonly #rules: readonly BotRule[];

  constructor(id: string, config: UserAgentConfig) {
    this.id = id;
    this.#cache = new BoundedCache(config.cache_size);
    this.#rules = [...config.bots.map((b) => ({ pattern: new RegExp(b.pattern, 'i'), name: b.name })), ...KNOWN_BOTS];
  }

  /** The columns for one agent string (uncached). */
  parse(ua: string): Parsed {
    const custom = this.#rules.find((r) => r.pattern.test(ua));
    const bot = custom !== undefined || isbot(ua);
    const r = new UAParser(ua).getResult();
    const os = r.os.name ?? null;
    const type = bot ? 'bot' : r.device.type ?? (os !== null && DESKTOP_OS.test(os) ? 'desktop' : null);
    return Object.freeze({
      ua_browser: r.browser.name ?? null, ua_browser_version: r.browser.version ?? null,
      ua_os: os, ua_os_version: r.os.version ?? null, ua_device_type: type,
      ua_device_vendor: r.device.vendor ?? null, ua_device_model: r.device.model ?? null,
      is_bot: bot, bot_name: bot ? custom?.name ?? isbotMatch(ua) ?? 'unknown bot' : null,
    });
  }

  /** See the class contract. */
  process(batch: RecordBatch<R>, _ctx: StageCallContext): StageResult<RecordBatch<R>> {
    for (const rec of batch.records as readonly Record<string, unknown>[]) {
      const ua = rec['user_agent'];
      Object.assign(rec, typeof ua === 'string' && ua !== '' && ua !== '-' ? this.#cache.get(ua, (k) => this.parse(k)) : EMPTY);
    }
    return { passed: batch, rejected: [], filtered: 0 };
  }
}
