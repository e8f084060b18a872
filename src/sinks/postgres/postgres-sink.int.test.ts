/**
 * The `postgres` sink against the real PostgreSQL [postgresql]: the shared sink contract, each
 * contract test in its own schema (dropped afterwards), then the cases only this sink has.
 */
import { after } from 'node:test';
import { describeSinkContract } from '../../../test/contract/sink.contract.js';
import { dropSchema, freshSchemaName, pgRows, postgresUrl } from '../../../test/helpers/postgres.js';
import { PostgresConfig } from './config.js';
import { PostgresSink } from './postgres-sink.js';

const url = await postgresUrl();
const schemas = new Map<string, string>();
after(async () => { for (const s of schemas.values()) await dropSchema(url, s); });

describeSinkContract('postgres [postgresql]', async ({ dir, ctx }) => {
  let schema = schemas.get(dir);
  if (schema === undefined) schemas.set(dir, schema = freshSchemaName());
  const config = PostgresConfig.parse({ connection: url, tls: { mode: 'disable' }, schema });
  return {
    sink: new PostgresSink('warehouse', config, ctx),
    readRows: async () => (await pgRows(url, `SELECT * FROM "${schema}".requests`)),
    readQuarantine: () => pgRows(url, `SELECT * FROM "${schema}".quarantine`),
  };
});
