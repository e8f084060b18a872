/**
 * World- or group-accessible data: the data directory holds the control store (vault ciphertext,
 * audit log, run records), bronze archives, the lake and the warehouse. Anything other users can
 * read or write there is a leak or a tampering path. Walks the tree (bounded) and reports each
 * offending path once, with its mode.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';

const MAX_REPORTED = 20;
const MAX_VISITED = 100_000;

/** See the module doc. */
export const dataDirPermissionsCheck: DoctorCheck = {
  id: 'data-dir-permissions',
  description: 'Nothing in the data directory is readable or writable by other users',
  run: async (ctx) => {
    const out: Finding[] = [];
    let visited = 0;
    let more = 0;
    const visit = (p: string): void => {
      if (++visited > MAX_VISITED) return;
      let st;
      try { st = lstatSync(p); } catch { return; }
      if (st.isSymbolicLink()) return;
      const mode = st.mode & 0o777;
      const bad = (mode & 0o007) !== 0 || (mode & 0o020) !== 0;
      if (bad) {
        if (out.length < MAX_REPORTED) {
          out.push({
            check: 'data-dir-permissions', severity: (mode & 0o006) !== 0 ? 'high' : 'medium',
            what: `${st.isDirectory() ? 'Directory' : 'File'} has mode ${mode.toString(8).padStart(4, '0')} (${(mode & 0o004) !== 0 ? 'world-readable' : (mode & 0o002) !== 0 ? 'world-writable' : 'group-writable or other-accessible'})`,
            why: 'The data directory holds archives, warehouse files and the control store; other users must not read or change them.',
            fix: `chmod -R go-rwx ${ctx.dataDir} (Tributary creates files 0600 and directories 0750 or stricter)`, where: p,
          });
        } else more++;
      }
      if (st.isDirectory()) {
        let names: string[] = [];
        try { names = readdirSync(p); } catch { return; }
        for (const n of names) visit(join(p, n));
      }
    };
    visit(ctx.dataDir);
    if (more > 0) out.push({ check: 'data-dir-permissions', severity: 'medium', what: `${more} more paths with the same problem`, why: 'See above.', fix: `chmod -R go-rwx ${ctx.dataDir}`, where: ctx.dataDir });
    return out;
  },
};
