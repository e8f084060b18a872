/** The audit actor of a command-line invocation. */
import { userInfo } from 'node:os';

/**
 * `cli:<os user name>` (from the OS account, else `$USER`, else the uid), naming who ran a command
 * in the audit log. A name, never a credential.
 */
export function cliActor(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // No passwd entry (some containers run with an arbitrary uid).
    return `cli:${env.USER ?? env.LOGNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`}`;
  }
}
