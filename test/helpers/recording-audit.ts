/** An in-memory {@link AuditTrail} that keeps every event, for tests that assert what was audited. */
import type { AuditEvent, AuditTrail } from '../../src/security/audit/audit-trail.js';

/** Records events in order; `failWith` makes privileged writes reject (fail-closed trail). */
export class RecordingAudit implements AuditTrail {
  readonly events: AuditEvent[] = [];
  failWith: Error | undefined;

  record(event: AuditEvent, opts: { readonly privileged?: boolean } = {}): Promise<void> {
    if (this.failWith !== undefined && opts.privileged === true) return Promise.reject(this.failWith);
    this.events.push(event);
    return Promise.resolve();
  }

  /** Every event as one JSON text (to assert that no secret appears anywhere). */
  text(): string {
    return JSON.stringify(this.events);
  }
}
