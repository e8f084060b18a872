/**
 * PostgreSQL for the `postgres` sink's tests: the real server from `needService('postgresql')`
 * (a missing server fails the suite, never skips it), throwaway schemas dropped afterwards, and
 * queries returning plain values (bigint as number, timestamptz as ISO text with microseconds).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { needService } from './services.js';
import { tmpDir } from './tmp.js';

/** The test server's URL; throws when PostgreSQL is not running. */
export const postgresUrl = (): Promise<string> => needService('postgresql');

/** A fresh, unused schema name (`trb_sink_<hex>`). */
export const freshSchemaName = (): string => `trb_sink_${randomBytes(6).toString('hex')}`;

const INT8 = 20;
const TIMESTAMPTZ = 1184;
const NUMERIC = 1700;

/** `2024-03-05 12:00:00.5+00` (as PostgreSQL prints timestamptz in UTC) → `2024-03-05T12:00:00.500000Z`. */
function isoMicros(text: string): string {
  const m = /^(-?\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?\+00$/.exec(text);
  return m ? `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}Z` : text;
}

/** Runs `sql` on a short-lived UTC session (with `searchPath` as search_path when given) and returns its rows as objects. */
export async function pgRows(url: string, sql: string, params: readonly unknown[] = [], searchPath?: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({
    connectionString: url, options: `-c TimeZone=UTC${searchPath === undefined ? '' : ` -c search_path=${searchPath}`}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
        if (oid === TIMESTAMPTZ) return isoMicros;
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  await client.connect();
  try { return (await client.query(sql, [...params])).rows as Record<string, unknown>[]; } finally { await client.end(); }
}

/** Drops `schema` and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  await pgRows(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * A PostgreSQL log-pipeline workspace for test `t`: the server URL (fails when PostgreSQL is not
 * running), a fresh schema dropped after the test, and a temp directory with an empty `logs/`.
 */
export async function pgLogWorkspace(t: TestContext): Promise<{ url: string; schema: string; dir: string }> {
  const url = await postgresUrl();
  const schema = freshSchemaName();
  t.after(() => dropSchema(url, schema));
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  return { url, schema, dir };
}

/** The `sinks:` YAML item of a `postgres` sink `id` on `url` and `schema`, TLS off (the local test server). */
export const pgSinkYaml = (url: string, schema: string, id = 'pg'): string =>
  `  - id: ${id}\n    type: postgres\n    connection: ${url}\n    tls: { mode: disable }\n    schema: ${schema}\n`;
