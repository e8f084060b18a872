/** PostgreSQL ControlStore adapter (distributed mode). Imported only by `engine/bootstrap.ts` and tests. */
export { createPostgresControlStore, DEFAULT_CONTROL_SCHEMA, isTransientPostgresError } from './postgres-control-store.js';
export type { PostgresControlStoreOptions } from './postgres-control-store.js';
