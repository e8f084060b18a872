/** The shape every validate check compiles to. */
import type { Lineage } from '../../core/component.js';
import type { RejectCode } from '../../core/outcome.js';
import type { AccessRecord } from '../../core/record.js';

/** A record as the validate stage sees it. */
export type ValidatedRecord = AccessRecord & Lineage;

/** Why one record failed one check; becomes a Rejection. */
export interface CheckFailure {
  readonly code: RejectCode;
  readonly field: string;
  readonly reason: string;
}

/**
 * A compiled check: returns null when `rec` passes, else the failure. `tsMaxMs` is the latest
 * accepted `ts` for the current batch (epoch ms). A check never throws and never mutates `rec`.
 */
export type Check = (rec: ValidatedRecord, tsMaxMs: number) => CheckFailure | null;

/** Reads `field` of a record: a column name, or `extras.<key>` for a key of `extras`. */
export type FieldGetter = (rec: ValidatedRecord) => unknown;

/** Builds the getter for a rule field (`extras.<key>` reads `rec.extras?.[key]`). */
export function fieldGetter(field: string): FieldGetter {
  if (field.startsWith('extras.')) {
    const key = field.slice('extras.'.length);
    return (rec) => {
      const extras = rec.extras;
      return extras !== null && typeof extras === 'object' && Object.hasOwn(extras, key) ? extras[key] : undefined;
    };
  }
  return (rec) => (rec as unknown as Readonly<Record<string, unknown>>)[field];
}
