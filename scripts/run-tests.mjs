#!/usr/bin/env node
// Finds every *.test.ts under src/, test/ and bench/ and runs them with node's test runner (tsx
// loader). `--unit` leaves out *.int.test.ts (tests that need services) and test/e2e.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const unitOnly = process.argv.includes('--unit');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const d of ['src', 'test', 'bench']) { try { walk(d); } catch { /* missing dir */ } }
let selected = files.sort();
if (unitOnly) selected = selected.filter((f) => !f.endsWith('.int.test.ts') && !f.startsWith('test/e2e'));
if (filters.length) selected = selected.filter((f) => filters.some((x) => f.includes(x)));
if (selected.length === 0) { console.error('No test files found'); process.exit(1); }
// Tests never touch the real user's ~/.config: a vault master key file created by a test lands in
// a private temporary directory, removed afterwards.
const configHome = mkdtempSync(join(tmpdir(), 'trb-test-config-'));
const env = { ...process.env, XDG_CONFIG_HOME: configHome };
for (const k of Object.keys(env)) if (k.startsWith('TRIBUTARY_MASTER_KEY') || k === 'TRIBUTARY_KMS_MODULE') delete env[k];
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...selected], { stdio: 'inherit', env });
rmSync(configHome, { recursive: true, force: true });
process.exit(r.status ?? 1);
