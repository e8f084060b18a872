/**
 * `tributary erase` end to end on real pipeline runs (generated logs plus one person's requests):
 * - pseudonymised client_ip with sessions and behaviour: the person's requests (also written as
 *   IPv4-mapped), quarantined lines and security events leave the warehouse and the lake, every
 *   other row stays byte for byte; a dry run changes nothing; the audit chain verifies and holds
 *   the erase events without the address; bronze segments are named; a rerun resurrects nothing;
 *   `--visitor <pseudonym>` erases another client;
 * - truncated client_ip with sessions: the person's rows are found through recomputed visitor ids,
 *   neighbours in the same /24 stay;
 * - truncated client_ip without visitor ids: nothing in requests can be attributed, and the report
 *   says so;
 * - encrypted client_ip: every token is decrypted to compare.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ErasureReport } from '../../src/security/erase/erase-report.js';
import { filesUnder } from '../helpers/data-files.js';
import { cli, runJson } from './_cli.js';
import { ask, erase, facts, LAKE, site, snapshot, TARGET, type Site } from './_erase-site.js';

const table = (r: ErasureReport, name: string) => r.warehouses[0]!.tables.find((t) => t.table === name)!;

describe('erase: pseudonymised client_ip, sessions and behaviour', { concurrency: 1 }, () => {
  let s: Site;
  let before0: Record<string, unknown>;
  before(async () => {
    s = await site('ps', '  - type: sessions\n  - type: behavior\n  - type: privacy\n    fields:\n      client_ip: pseudonymize\n');
    before0 = await facts(s);
  });
  after(() => s?.cleanup());

  it('a dry run counts the person\'s rows everywhere and changes nothing; a bad target or no terminal is refused', async () => {
    assert.equal(before0.requestsMine, 43);
    assert.equal(before0.quarantineMine, 2);
    const [[events]] = await ask(s, `SELECT count(*) FROM w.security_events WHERE source_offset IN (${s.offsets.join(', ')})`) as [[number]];
    assert.ok(events >= 1, 'the 404 burst raised a security event');
    assert.ok(!readFileSync(join(s.data, 'warehouse.duckdb')).includes(Buffer.from(TARGET)), 'quarantined raw lines are encrypted (engine.quarantine.raw: auto with a privacy stage), found by decrypting');
    const snap = snapshot(s);
    const r = await erase(s, '--ip', TARGET, '--dry-run');
    assert.equal(r.dryRun, true);
    assert.equal(r.applied, false);
    assert.deepEqual([table(r, 'requests').matched, table(r, 'quarantine').matched, table(r, 'security_events').matched], [43, 2, events]);
    assert.deepEqual({ ...table(r, 'requests').byColumn }, { client_ip: 43, client_id: 43, visitor_id: 43 });
    assert.ok(r.identifiers.visitorIds >= 2, `visitor ids ${r.identifiers.visitorIds}`);
    assert.deepEqual(r.identifiers.pseudonymEpochs, [{ name: 'pseudonyms', versions: [1] }]);
    assert.equal(r.totals.lakeRows, 43 + 2 + events);
    assert.ok(r.lake.every((f) => f.newPath === undefined));
    assert.match(r.subject.ref, /^ps1_[0-9a-f]{24}$/);
    assert.deepEqual(snapshot(s), snap, 'a dry run changes no file');

    const invalid = await cli(['erase', s.file, '--ip', '198.51.100.0/24', '--dry-run']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /TRB_ERASE_TARGET_INVALID/);
    const noTty = await cli(['erase', s.file, '--ip', TARGET]);
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /TRB_ERASE_CONFIRMATION_REQUIRED.*--yes/);
    assert.deepEqual(snapshot(s), snap);
  });

  it('erases exactly the person\'s rows from warehouse and lake, and their bytes', async () => {
    const r = await erase(s, '--ip', TARGET, '--yes');
    assert.equal(r.applied, true);
    assert.equal(table(r, 'requests').deleted, 43);
    assert.equal(table(r, 'quarantine').deleted, 2);
    assert.equal(r.warehouses[0]!.compaction, 'done');
    assert.ok(r.lake.length > 0 && r.lake.every((f) => f.action === 'remove' || /\.erased-[0-9a-f]{12}\.parquet$/.test(f.newPath ?? '')));
    const now = await facts(s);
    assert.deepEqual(now, {
      ...before0, requests: Number(before0.requests) - 43, requestsMine: 0, quarantineMine: 0,
      lake: Number(before0.lake) - 43, lakeMine: 0, lakeQuarantineMine: 0,
    }, 'only the person\'s rows are gone; every other row is unchanged');
    const [[events]] = await ask(s, `SELECT count(*) FROM w.security_events WHERE source_offset IN (${s.offsets.join(', ')})`) as [[number]];
    const eventFiles = filesUnder(join(s.data, 'lake', 'silver', 'security_events')).filter((f) => f.endsWith('.parquet'));
    const [[lakeEvents]] = eventFiles.length === 0 ? [[0]]
      : await ask(s, `SELECT count(*) FROM ${LAKE('security_events')} WHERE source_offset IN (${s.offsets.join(', ')})`) as [[number]];
    assert.deepEqual([events, lakeEvents], [0, 0]);
    for (const f of filesUnder(s.data)) assert.ok(!readFileSync(f).includes(Buffer.from(TARGET)), `the address is in ${f}`);
    // The views survive compaction.
    const q = await cli(['query', '--json', '-p', s.file, 'select count(*) as n from sessions']);
    assert.equal(q.code, 0, q.stderr);
  });

  it('names the bronze segments that still hold the address, and never changes them', async () => {
    const r = await erase(s, '--ip', TARGET, '--dry-run');
    assert.equal(r.totals.warehouseRows + r.totals.lakeRows, 0, 'nothing left');
    assert.equal(r.bronze.searched, true);
    assert.ok(r.bronze.segments.length >= 1);
    assert.ok(r.bronze.segments.reduce((a, seg) => a + seg.matchedLines, 0) >= 45);
    for (const seg of r.bronze.segments) {
      assert.ok(existsSync(join(s.data, 'bronze', seg.objectKey)), seg.objectKey);
      assert.equal(seg.encrypted, true);
      assert.equal(seg.removeAfter, new Date(Date.parse(seg.ingestedAt) + 7 * 86_400_000).toISOString(), 'default bronze retention 7d');
    }
    assert.equal(r.bronze.retention.configured, true);
    assert.match(r.bronze.retention.note, /`7d`.*tributary lifecycle run/);
  });

  it('is audited: attempt and outcome with counts, a keyed pseudonym instead of the address, and the chain verifies', async () => {
    const v = await cli(['audit', 'verify', '--data-dir', s.data, '--json']);
    assert.equal(v.code, 0, v.stderr);
    const found = await cli(['audit', 'search', '--action', 'erase', '--data-dir', s.data, '--json']);
    const entries = JSON.parse(found.stdout) as { outcome: string; target: string; details: Record<string, unknown> }[];
    assert.deepEqual(entries.map((e) => e.outcome).reverse(), ['attempt', 'ok', 'attempt', 'ok', 'attempt', 'ok']);
    assert.ok(!found.stdout.includes(TARGET));
    const applied = entries.find((e) => e.outcome === 'ok' && e.details.dryRun === false)!;
    assert.match(applied.target, /^ps\/ps1_[0-9a-f]{24}$/);
    assert.equal((applied.details.warehouse as Record<string, number>)['warehouse.requests'], 43);
    const mirror = readFileSync(join(s.data, 'audit', 'audit.jsonl'), 'utf8');
    assert.match(mirror, /"action":"erase"/);
    assert.ok(!mirror.includes(TARGET));
  });

  it('a rerun of the pipeline resurrects nothing; --visitor <pseudonym> erases another client', async () => {
    const run = await runJson(s.file);
    assert.equal(run.summary.status, 'succeeded');
    assert.equal(run.summary.landed, 0);
    assert.equal((await facts(s)).requestsMine, 0);
    const [[ps, n]] = await ask(s, 'SELECT client_ip, count(*) FROM w.requests GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1') as [[string, number]];
    const r = await erase(s, '--visitor', ps, '--yes');
    assert.equal(r.subject.kind, 'pseudonym');
    assert.equal(table(r, 'requests').deleted, n);
    assert.deepEqual({ ...table(r, 'requests').byColumn }, { client_ip: n, client_id: n });
    assert.equal(r.bronze.searched, false);
    assert.ok(r.notes.some((x) => /not searched/.test(x)));
    const [[left, lakeLeft]] = await ask(s, `SELECT (SELECT count(*) FROM w.requests WHERE client_ip = '${ps}'), (SELECT count(*) FROM ${LAKE('requests')} WHERE client_ip = '${ps}')`) as [[number, number]];
    assert.deepEqual([left, lakeLeft], [0, 0]);
  });
});

describe('erase: truncated client_ip', { concurrency: 1 }, () => {
  it('with sessions: the person\'s rows are found by recomputed visitor ids; neighbours in the /24 stay', async (t) => {
    const s = await site('tr', '  - type: sessions\n  - type: privacy\n');
    t.after(() => s.cleanup());
    const mine = `(${s.offsets.join(', ')})`;
    const neighbours = async (): Promise<number> => ((await ask(s, `SELECT count(*) FROM w.requests WHERE client_ip = '198.51.100.0' AND source_offset NOT IN ${mine}`))[0]![0] as number);
    const before0 = await neighbours();
    assert.ok(before0 >= 5);
    const r = await erase(s, '--ip', TARGET, '--yes');
    assert.equal(table(r, 'requests').deleted, 43);
    assert.deepEqual({ ...table(r, 'requests').byColumn }, { visitor_id: 43 });
    assert.equal(table(r, 'requests').shared, before0);
    assert.equal(table(r, 'quarantine').deleted, 2);
    assert.deepEqual(r.identifiers.truncation, ['/24', '/48']);
    assert.ok(r.notes.some((n) => /share the truncated address .* other people's and were kept/.test(n)), r.notes.join('\n'));
    assert.equal(await neighbours(), before0);
    assert.equal((await facts(s)).lakeMine, 0);
  });

  it('without visitor ids: nothing in requests can be attributed, and the report says so', async (t) => {
    const s = await site('t0', '  - type: privacy\n');
    t.after(() => s.cleanup());
    const r = await erase(s, '--ip', TARGET, '--dry-run');
    assert.equal(table(r, 'requests').matched, 0);
    assert.ok(table(r, 'requests').shared >= 43 + 5);
    assert.equal(table(r, 'quarantine').matched, 2, 'raw lines still name the address');
    assert.ok(r.notes.some((n) => /cannot be attributed to one person and were kept/.test(n)), r.notes.join('\n'));
  });
});

describe('erase: encrypted client_ip', () => {
  it('decrypts every token to compare, and erases the person\'s rows', async (t) => {
    const s = await site('enc', '  - type: encrypt\n    fields: [client_ip]\n');
    t.after(() => s.cleanup());
    const before0 = await facts(s);
    const r = await erase(s, '--ip', TARGET, '--yes');
    assert.equal(table(r, 'requests').deleted, 43);
    assert.deepEqual({ ...table(r, 'requests').byColumn }, { client_ip: 43 });
    assert.ok(r.identifiers.decrypted >= 2 * Number(before0.requests), `every token of the warehouse and the lake was opened: ${r.identifiers.decrypted}`);
    assert.equal(r.identifiers.undecryptable, 0);
    const now = await facts(s);
    assert.deepEqual([now.requestsMine, now.lakeMine, now.requestsOthersHash, now.lakeOthersHash], [0, 0, before0.requestsOthersHash, before0.lakeOthersHash]);
  });
});
