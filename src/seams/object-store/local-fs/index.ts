/** Local-filesystem ObjectStore adapter (embedded mode). Imported only by `engine/bootstrap.ts` and tests. */
export { createLocalFsObjectStore } from './local-fs-object-store.js';
export type { LocalFsObjectStoreOptions } from './local-fs-object-store.js';
