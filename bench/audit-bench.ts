/**
 * Audit log write throughput on a SQLite control store in a temp data dir, with the JSONL mirror:
 * `--n` `AuditLog.record()` calls, all at once (default), or with `--clients C` from C clients that
 * each record one entry at a time and wait for it (the way the SQL access layer audits every query
 * of C concurrent HTTP clients). Prints one JSON line: entries/s, wall time, how many lines the log
 * reported (write failures, timeouts, backpressure), and whether the chain verifies afterwards.
 *
 *   node --import tsx bench/audit-bench.ts [--n 5000] [--rounds 3] [--clients 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteControlStore } from '../src/seams/control-store/sqlite/index.js';
import { openAuditLog } from '../src/security/audit/open-audit-log.js';
import { MemoryDataKeys } from '../test/helpers/memory-data-keys.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
};
const n = Number(arg('n', '5000'));
const rounds = Number(arg('rounds', '3'));
const clients = Number(arg('clients', '0'));

/** One round on a fresh data dir; resolves with entries/s and what was reported. */
async function round(): Promise<{ entriesPerSec: number; seconds: number; reported: number; ok: boolean }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trb-audit-bench-'));
  const control = createSqliteControlStore({ path: join(dataDir, 'control.db') });
  try {
    await control.migrate();
    let reported = 0;
    const log = openAuditLog({ control, dataDir, keys: new MemoryDataKeys(), failClosed: false, log: () => { reported++; } });
    await log.record({ actor: 'bench', action: 'bench.start', target: 'warmup', outcome: 'ok' });
    const t0 = performance.now();
    const one = (i: number): Promise<void> => log.record({
      actor: `api:key-${i % 50}`, action: 'sql.query', target: 'gold.daily_traffic', outcome: 'ok',
      details: { rows: i, ms: 3, sqlSha256: 'ab'.repeat(32) },
    });
    if (clients > 0) {
      let next = 0;
      await Promise.all(Array.from({ length: clients }, async () => { while (next < n) await one(next++); }));
    } else {
      await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
    }
    await log.flush();
    const seconds = (performance.now() - t0) / 1000;
    const ok = (await log.verify()).ok && (await control.audit.count()) === n + 1;
    return { entriesPerSec: Math.round(n / seconds), seconds: +seconds.toFixed(2), reported, ok };
  } finally {
    await control.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
for (let r = 0; r < rounds; r++) results.push(await round());
const best = Math.max(...results.map((r) => r.entriesPerSec));
process.stdout.write(`${JSON.stringify({ n, clients: clients || 'all at once', rounds: results, bestEntriesPerSec: best })}\n`);
