/**
 * Named crash points for crash-safety tests. When `TRIBUTARY_FAILPOINT` equals a point's name, the
 * process kills itself with SIGKILL there (no cleanup, no flushing: exactly like a power cut or an
 * OOM kill). Unset, a failpoint costs one environment lookup. Points are listed where they are used
 * (`grep -r "failpoint('"`); tests use them to interrupt multi-step operations at every step.
 */

/** The environment variable naming the failpoint to trigger. */
export const FAILPOINT_ENV = 'TRIBUTARY_FAILPOINT';

/** Kills the process with SIGKILL when `TRIBUTARY_FAILPOINT` is `name`. */
export function failpoint(name: string): void {
  if (process.env[FAILPOINT_ENV] === name) process.kill(process.pid, 'SIGKILL');
}
