/**
 * Runs ESM source text in a child Node process with tsx (so it can import the repository's `.ts`
 * files by URL): for tests that need several real processes on one database.
 */
import { spawn } from 'node:child_process';

/** Exit code and stderr of one child run by {@link runModuleScript}. */
export interface ScriptResult {
  readonly code: number | null;
  readonly err: string;
}

/** Runs `script` (ES module text) in a new `node --import tsx` process; resolves when it exits. */
export function runModuleScript(script: string): Promise<ScriptResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => done({ code, err }));
  });
}
