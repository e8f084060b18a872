/** A throwaway directory for bench tests, with XDG_CONFIG_HOME pointed inside it (the vault's master key). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates the directory and sets XDG_CONFIG_HOME to `<dir>/xdg`; `remove` deletes it. */
export function tmpDirFor(prefix: string): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  process.env['XDG_CONFIG_HOME'] = join(path, 'xdg');
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
