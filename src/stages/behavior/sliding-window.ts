/**
 * Exact sliding-window counting for one client and one rule: the times of the last `threshold`
 * matching requests (never more), so memory per client is bounded by the threshold. A request's
 * time never goes backwards inside a window (a late request counts at the newest time seen), which
 * keeps the window sorted.
 */

/** Mutable window state, stored as plain JSON (`[times…]`). */
export type WindowTimes = number[];

/**
 * Adds a request at `ts` to `times` (in place) and returns the number of requests within
 * `windowMs` of it, counting it (at most `threshold`).
 */
export function addToWindow(times: WindowTimes, ts: number, windowMs: number, threshold: number): number {
  const last = times.length > 0 ? times[times.length - 1]! : Number.NEGATIVE_INFINITY;
  const t = ts < last ? last : ts;
  times.push(t);
  let drop = 0;
  while (drop < times.length && (times[drop]! < t - windowMs || times.length - drop > threshold)) drop++;
  if (drop > 0) times.splice(0, drop);
  return times.length;
}
