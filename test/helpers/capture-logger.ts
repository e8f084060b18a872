/** A {@link Logger} for tests that keeps every line as the JSON a log file would get. */
import type { Logger } from '../../src/core/component.js';

/** The captured logger: `lines` in order; `entries(level)` parsed, optionally of one level. */
export interface CaptureLogger extends Logger {
  readonly lines: string[];
  entries(level?: 'debug' | 'info' | 'warn' | 'error'): Record<string, unknown>[];
}

/** A logger that records `{ level, msg, ...fields }` per call, serialized with JSON.stringify. */
export function captureLogger(): CaptureLogger {
  const lines: string[] = [];
  const at = (level: string) => (obj: object, msg?: string): void => { lines.push(JSON.stringify({ level, msg, ...obj })); };
  return {
    lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    entries: (level) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => level === undefined || l['level'] === level),
  };
}
