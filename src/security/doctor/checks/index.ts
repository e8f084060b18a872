/** The doctor's checks, in report order. Adding a check is adding a file and a line here. */
import type { DoctorCheck } from '../doctor-check.js';
import { auditChainCheck } from './audit-chain.js';
import { dataDirPermissionsCheck } from './data-dir-permissions.js';
import { encryptionCapabilityCheck } from './encryption-capability.js';
import { geoipAgeCheck } from './geoip-age.js';
import { keyRotationCheck } from './key-rotation.js';
import { masterKeyCheck } from './master-key.js';
import { plaintextSecretsCheck } from './plaintext-secrets.js';
import { serverTlsCheck } from './server-tls.js';
import { tlsListenersCheck } from './tls-listeners.js';
import { warehouseTlsCheck } from './warehouse-tls.js';

/** Every check `tributary doctor` runs. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = Object.freeze([
  plaintextSecretsCheck,
  masterKeyCheck,
  dataDirPermissionsCheck,
  keyRotationCheck,
  auditChainCheck,
  encryptionCapabilityCheck,
  geoipAgeCheck,
  tlsListenersCheck,
  serverTlsCheck,
  warehouseTlsCheck,
]);
