/**
 * Imports every module that defines error codes, so `listErrorCodes()` sees all of them (the
 * generated docs/reference/errors.md and its freshness test depend on it). Add a line here when a
 * new module calls `defineError`; a test fails when a module is missing.
 */
import './core/errors.js';
import './core/secret-value.js';
import './config/config-errors.js';
import './formats/errors.js';
import './seams/store-errors.js';
import './sinks/_shared/errors.js';
import './sinks/postgres/errors.js';
import './sources/files/errors.js';
import './sources/stdin/errors.js';
import './sources/bronze/errors.js';
import './engine/errors.js';
import './security/errors.js';
import './security/audit/errors.js';
import './security/crypto/errors.js';
import './security/erase/errors.js';
import './security/apikeys/errors.js';
import './security/identity/errors.js';
import './ops/backup/errors.js';
import './ops/lifecycle/errors.js';
import './stages/encrypt/errors.js';
import './stages/threat/errors.js';
import './models/errors.js';
import './server/pgwire/errors.js';
import './security/rbac/errors.js';
import './query/errors.js';
import './server/errors.js';

/** Modules listed above, relative to src/ (checked by a test against the source tree). */
export const ERROR_MODULES: readonly string[] = Object.freeze([
  'core/errors.ts', 'core/secret-value.ts', 'config/config-errors.ts', 'formats/errors.ts', 'seams/store-errors.ts',
  'sinks/_shared/errors.ts', 'sinks/postgres/errors.ts', 'sources/files/errors.ts', 'sources/stdin/errors.ts', 'sources/bronze/errors.ts', 'engine/errors.ts', 'security/errors.ts',
  'security/audit/errors.ts', 'security/crypto/errors.ts', 'security/erase/errors.ts', 'security/apikeys/errors.ts', 'security/identity/errors.ts', 'ops/backup/errors.ts', 'ops/lifecycle/errors.ts', 'stages/encrypt/errors.ts', 'stages/threat/errors.ts', 'models/errors.ts',
  'server/pgwire/errors.ts',
  'security/rbac/errors.ts', 'query/errors.ts', 'server/errors.ts',
]);
