/** SQLite ControlStore adapter (embedded mode). Imported only by `engine/bootstrap.ts` and tests. */
export { createSqliteControlStore, isTransientSqliteError } from './sqlite-control-store.js';
export type { SqliteControlStoreOptions } from './sqlite-control-store.js';
