/**
 * `tributary audit`: check and read the audit log of a data directory.
 *
 *   audit verify [--anchor FILE...] [--json]   check the chain, MACs and anchors; exit 2 naming the first bad entry
 *   audit tail [-n N] [--follow] [--json]      the last entries (JSON lines with --json)
 *   audit search [filters] [-n N] [--json]     entries matching every filter, newest first
 *   audit anchor [--export] [--no-verify]      sign the current head, store it, print it (or its export line)
 *
 * `verify` and `anchor` need the audit key (held by the vault); `tail` and `search` only read the store.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { Validation } from '../../core/errors.js';
import { openDeployment, type Deployment } from '../../engine/bootstrap.js';
import type { AuditEntryRow, AuditQuery } from '../../seams/control-store/audit-store.js';
import type { AuditLog } from '../../security/audit/audit-log.js';
import { exportAnchor, parseAnchorExports } from '../../security/audit/anchor-export.js';
import { AuditAnchorInvalid, AuditChainBroken, AuditLogEmpty } from '../../security/audit/errors.js';
import { openAuditLog } from '../../security/audit/open-audit-log.js';
import type { AuditVerifyResult } from '../../security/audit/verify-audit-chain.js';
import type { DataKeys } from '../../security/vault/data-keys.js';
import { formatTable } from '../output/format-table.js';

/** What the audit commands take from outside (tests inject keys, output and a stop signal). */
export interface AuditCommandDeps {
  /** The audit key holder of a deployment (default: the deployment's own `keys`). */
  readonly keysFor?: (d: Deployment) => DataKeys | Promise<DataKeys>;
  /** Where output goes (default: stdout). */
  readonly out?: (text: string) => void;
  /** Ends `tail --follow` (default: Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /** Poll interval of `tail --follow` in milliseconds (default 1000). */
  readonly followIntervalMs?: number;
}

interface Common { readonly dataDir: string; readonly json?: boolean }

const positiveInt = (field: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw Validation({ reason: `${field} must be a positive integer (got \`${v}\`)`, field });
  return n;
};
const instant = (field: string) => (v: string): string => {
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw Validation({ reason: `${field} must be an ISO-8601 date or time (got \`${v}\`)`, field });
  return new Date(ms).toISOString();
};

/** One entry as a human line: seq, time, actor, action, target, outcome, details. */
function entryLine(r: AuditEntryRow): string {
  return [r.seq, r.ts, r.actor, r.action, r.target, r.outcome, ...(r.details ? [JSON.stringify(r.details)] : [])].join('  ');
}

function readAnchorFile(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch (err) {
    throw AuditAnchorInvalid({ file, reason: `it cannot be read (${(err as { code?: string }).code ?? String(err)})` }, err);
  }
}

function brokenError(r: AuditVerifyResult): Error {
  const bad = r.firstBad!;
  return AuditChainBroken({ seq: bad.seq, reason: bad.reason, problem: bad.problem, verified: r.entries });
}

/** Registers `audit` and its subcommands. */
export function registerAudit(program: Command, deps: AuditCommandDeps = {}): void {
  const out = deps.out ?? ((text: string) => { process.stdout.write(text); });
  const env = deps.env ?? process.env;

  async function withDeployment<T>(o: Common, fn: (d: Deployment) => Promise<T>): Promise<T> {
    const d = await openDeployment(resolve(o.dataDir), env);
    try { return await fn(d); } finally { await d.close(); }
  }
  async function auditLogOf(d: Deployment): Promise<AuditLog> {
    if (deps.keysFor) return openAuditLog({ control: d.control, dataDir: d.dataDir, keys: await deps.keysFor(d), env });
    return d.audit;
  }

  const audit = program.command('audit').description('Verify and read the tamper-evident audit log (docs/security/audit.md)');
  const dataDir = ['--data-dir <dir>', 'data directory', env.TRIBUTARY_DATA_DIR ?? '.tributary'] as const;

  audit.command('verify')
    .description('Check every entry (order, links, hashes, MACs) and the anchors; fails naming the first bad entry')
    .option(...dataDir)
    .option('--anchor <file...>', 'also check anchors exported earlier with `audit anchor --export`')
    .option('--json', 'print the result as JSON')
    .action(async (o: Common & { anchor?: string[] }) => {
      const anchors = (o.anchor ?? []).flatMap((f) => parseAnchorExports(readAnchorFile(f), f));
      const r = await withDeployment(o, async (d) => (await auditLogOf(d)).verify({ anchors }));
      if (!r.ok) throw brokenError(r);
      if (o.json) { out(`${JSON.stringify(r, null, 2)}\n`); return; }
      out(`Audit log OK: ${r.entries} entries, head ${r.lastSeq} ${r.headHash}, ${r.anchors} anchor(s) checked.\n`);
      if (anchors.length === 0) out('Only exported anchors (--anchor FILE) catch a rewrite by someone holding the audit key.\n');
    });

  audit.command('tail')
    .description('Show the last entries, oldest first; --follow keeps printing new ones until Ctrl-C')
    .option(...dataDir)
    .option('-n, --lines <n>', 'how many', positiveInt('--lines'), 20)
    .option('--follow', 'keep printing entries as they are appended')
    .option('--json', 'one JSON object per line')
    .action(async (o: Common & { lines: number; follow?: boolean }) => {
      const print = (r: AuditEntryRow): void => out(`${o.json ? JSON.stringify(r) : entryLine(r)}\n`);
      await withDeployment(o, async (d) => {
        const last = [...await d.control.audit.list({ order: 'desc', limit: o.lines })].reverse();
        last.forEach(print);
        if (!o.follow) return;
        const ac = new AbortController();
        const stop = (): void => ac.abort();
        deps.signal?.addEventListener('abort', stop, { once: true });
        if (!deps.signal) process.once('SIGINT', stop);
        let seq = last[last.length - 1]?.seq ?? 0;
        try {
          while (!ac.signal.aborted && !deps.signal?.aborted) {
            const fresh = await d.control.audit.list({ fromSeq: seq + 1, limit: 1000 });
            fresh.forEach(print);
            seq = fresh[fresh.length - 1]?.seq ?? seq;
            if (fresh.length < 1000) await sleep(deps.followIntervalMs ?? 1000, undefined, { signal: ac.signal }).catch(() => undefined);
          }
        } finally {
          deps.signal?.removeEventListener('abort', stop);
          process.off('SIGINT', stop);
        }
      });
    });

  audit.command('search')
    .description('Find entries matching every given filter, newest first')
    .option(...dataDir)
    .option('--action <action>', 'exact action, e.g. secret.read')
    .option('--actor <actor>', 'exact actor, e.g. cli:alice')
    .option('--target <text>', 'substring of the target')
    .option('--outcome <outcome>', 'ok, denied or error')
    .option('--since <time>', 'entries at or after this ISO-8601 time', instant('--since'))
    .option('--until <time>', 'entries at or before this ISO-8601 time', instant('--until'))
    .option('-n, --limit <n>', 'how many', positiveInt('--limit'), 100)
    .option('--json', 'print JSON')
    .action(async (o: Common & { action?: string; actor?: string; target?: string; outcome?: string; since?: string; until?: string; limit: number }) => {
      const q: AuditQuery = {
        ...(o.action ? { action: o.action } : {}), ...(o.actor ? { actor: o.actor } : {}), ...(o.target ? { targetContains: o.target } : {}),
        ...(o.outcome ? { outcome: o.outcome } : {}), ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}),
        order: 'desc', limit: o.limit,
      };
      const rows = await withDeployment(o, (d) => d.control.audit.list(q));
      if (o.json) { out(`${JSON.stringify(rows, null, 2)}\n`); return; }
      out(`${formatTable({
        columns: ['seq', 'ts', 'actor', 'action', 'target', 'outcome', 'details'],
        rows: rows.map((r) => [r.seq, r.ts, r.actor, r.action, r.target, r.outcome, r.details]),
      })}\n`);
    });

  audit.command('anchor')
    .description('Sign the current chain head, store the anchor, and print it (--export: one JSON line to keep elsewhere)')
    .option(...dataDir)
    .option('--export', 'print the anchor as one JSON line for `audit verify --anchor FILE`')
    .option('--no-verify', 'anchor without verifying the chain first (faster on very large logs)')
    .action(async (o: Common & { export?: boolean; verify: boolean }) => {
      const a = await withDeployment(o, async (d) => {
        const log = await auditLogOf(d);
        if (o.verify) {
          const r = await log.verify();
          if (!r.ok) throw brokenError(r);
        }
        const anchor = await log.anchor();
        if (anchor === undefined) throw AuditLogEmpty({ dataDir: d.dataDir });
        return anchor;
      });
      if (o.export) { out(`${exportAnchor(a)}\n`); return; }
      out(`Anchored entry ${a.seq} (head ${a.headHash}) at ${a.ts}, key version ${a.keyVersion}.\n`
        + 'Keep an export off this host: tributary audit anchor --export >> anchors.jsonl\n');
    });
}
