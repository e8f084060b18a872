/**
 * Time-ordered run ids: `YYYYMMDDTHHMMSSmmmZ-<seq>-<rand>`, e.g. `20250102T030405678Z-0000-9f3a2c1b`.
 * String order is start order; within one process ids are strictly increasing even within the same
 * millisecond (and if the clock steps back, the last time is reused). The random tail keeps ids from
 * two processes distinct.
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/** Returns a new run id for a run started at `now` (epoch ms, default: the current time). */
export function newRunId(now: number = Date.now()): string {
  if (now > lastMs) { lastMs = now; seq = 0; } else { seq += 1; }
  if (seq > 0xffff) { lastMs += 1; seq = 0; }
  const stamp = new Date(lastMs).toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${seq.toString(16).padStart(4, '0')}-${randomBytes(4).toString('hex')}`;
}
