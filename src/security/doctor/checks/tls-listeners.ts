/**
 * TLS on listeners in general. The API server's listeners are checked by `server-tls` (from what
 * `tributary serve` last ran with); the PostgreSQL wire gateway brings its own check. This check
 * stays as a visible `skipped` so that its absence is not mistaken for a pass.
 */
import type { DoctorCheck } from '../doctor-check.js';

/** See the module doc. */
export const tlsListenersCheck: DoctorCheck = {
  id: 'tls-listeners',
  description: 'Every listener uses TLS 1.2+ with a certificate that is not self-signed',
  run: async () => ({ skipped: 'the API server\'s listeners are checked by `server-tls`; the PostgreSQL wire gateway is checked by its own component' }),
};
