/** Vault entries older than their own rotation policy (`--rotate-after-days`). */
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';

/** See the module doc. */
export const keyRotationCheck: DoctorCheck = {
  id: 'key-rotation',
  description: 'No secret or data key is older than its rotation policy',
  run: async (ctx) => {
    const out: Finding[] = [];
    for (const e of await ctx.vault.list()) {
      if (e.rotateAfterDays === null) continue;
      const age = Math.floor((ctx.now.getTime() - Date.parse(e.updatedAt)) / 86_400_000);
      if (age <= e.rotateAfterDays) continue;
      out.push({
        check: 'key-rotation', severity: 'medium',
        what: `${e.kind === 'secret' ? 'Secret' : `The ${e.kind} key`} \`${e.name}\` (version ${e.version}) is ${age} days old; its policy is ${e.rotateAfterDays} days`,
        why: 'Unrotated credentials and keys widen the window in which a leak can be used.',
        fix: `tributary secrets rotate ${e.name}`, where: `vault:${e.name}`,
      });
    }
    return out;
  },
};
