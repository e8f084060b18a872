/**
 * Structured logging: JSON lines on stderr (or a human line with `pretty`), level from
 * `TRIBUTARY_LOG_LEVEL` (debug|info|warn|error|silent; default warn for the CLI). Fields named like
 * secrets are redacted before anything is written.
 */
import type { Logger } from '../core/component.js';
import { scrubSecrets } from '../core/secret-scrubber.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
/** A log level name. */
export type LogLevel = keyof typeof LEVELS;
const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|authorization|credential/i;

/** Replaces values of secret-looking keys with `[redacted]`, recursively. */
export function redact(obj: unknown, depth = 0): unknown {
  if (obj === null || typeof obj !== 'object' || depth > 6) return obj;
  if (Array.isArray(obj)) return obj.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]));
}

/** Creates a logger writing to `out` (default stderr) at `level` and above. */
export function createLogger(opts: { level?: LogLevel; out?: NodeJS.WritableStream; bindings?: object } = {}): Logger {
  const envLevel = process.env.TRIBUTARY_LOG_LEVEL as LogLevel | undefined;
  const min = LEVELS[opts.level ?? (envLevel && envLevel in LEVELS ? envLevel : 'warn')];
  const out = opts.out ?? process.stderr;
  const emit = (level: Exclude<LogLevel, 'silent'>) => (obj: object, msg?: string): void => {
    if (LEVELS[level] < min) return;
    out.write(`${scrubSecrets(JSON.stringify({ level, time: new Date().toISOString(), ...opts.bindings, ...(redact(obj) as object), msg }))}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
