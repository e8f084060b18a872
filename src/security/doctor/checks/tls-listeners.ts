/**
 * TLS on listeners. Tributary has no network listener yet (the API server and the PostgreSQL wire
 * gateway come with the serving layer); until then this check reports `skipped`, so its absence is
 * visible rather than silently passing.
 */
import type { DoctorCheck } from '../doctor-check.js';

/** See the module doc. */
export const tlsListenersCheck: DoctorCheck = {
  id: 'tls-listeners',
  description: 'Every listener uses TLS 1.2+ with a certificate that is not self-signed',
  run: async () => ({ skipped: 'no listeners are configured in this version (the API server is not part of it yet)' }),
};
