/**
 * Exact sliding-window counting for one client and one rule: the times of the last `threshold`
 * matching requests (never more), so memory per client is bounded by the threshold. A request's
 * time never goes backwards inside a window (a late request counts at the newest time seen), which
 * keeps the window sorted.
 */

/** Mutable window state, stored as plain JSON (`[times…]`). */
export type WindowTimes = number[];

/**
 * Adds a request at `ts` to `times` (in place; the oldest time falls out beyond `threshold`) and
 * returns the number of requests within `windowMs` of it, counting it (at most `threshold`).
 * Constant work per request whatever the threshold (binary search, no re-copying).
 */
export function addToWindow(times: WindowTimes, ts: number, windowMs: number, threshold: number): number {
  const n0 = times.length;
  const t = n0 > 0 && ts < times[n0 - 1]! ? times[n0 - 1]! : ts;
  times.push(t);
  if (times.length > threshold) times.shift();
  const from = t - windowMs;
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < from) lo = mid + 1; else hi = mid;
  }
  return times.length - lo;
}

/**
 * The times of `times` still inside a window ending at its newest time (what is worth saving:
 * older times can never count again, because a client's window time never goes backwards).
 */
export function liveTimes(times: WindowTimes, windowMs: number): WindowTimes {
  const n = times.length;
  if (n === 0) return [];
  const from = times[n - 1]! - windowMs;
  let i = 0;
  while (i < n && times[i]! < from) i++;
  return times.slice(i);
}
