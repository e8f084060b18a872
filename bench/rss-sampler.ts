/**
 * Peak resident memory of this process (worker threads included) while a phase runs: samples
 * `process.memoryUsage().rss` every 50 ms; the kernel's lifetime peak (`maxRSS`) is reported too.
 */

/** A running sampler. */
export interface RssSampler {
  /** Stops sampling; returns the peak sampled RSS in bytes (at least the RSS at start and stop). */
  stop(): number;
}

/** Starts sampling every `intervalMs` (default 50). */
export function startRssSampler(intervalMs = 50): RssSampler {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** The kernel's peak RSS of this process over its lifetime, bytes. */
export const lifetimeMaxRss = (): number => process.resourceUsage().maxRSS * 1024;
