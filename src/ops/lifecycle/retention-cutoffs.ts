/**
 * The instants before which each layer's data has expired, for one evaluation time. Bronze is cut
 * at an instant (ingestion time); the other layers are cut at a UTC day boundary, so that a lake day
 * partition and the warehouse rows of the same day always expire together (the warehouse mirrors
 * silver): data of day D expires once D is before the UTC day of `at - retention`.
 */
import type { RetentionConfig } from './retention-config.js';
import { parseRetentionDuration } from './retention-duration.js';

/** Cutoffs as ISO-8601 UTC instants; data strictly before a cutoff has expired. */
export interface RetentionCutoffs {
  /** The evaluation time. */
  readonly at: string;
  /** Bronze objects ingested before this instant expire. */
  readonly bronze: string;
  /** Midnight UTC: silver days before it (and warehouse rows with `ts` before it) expire. */
  readonly silver: string;
  /** Midnight UTC: gold rows before it expire. */
  readonly gold: string;
  /** Midnight UTC: quarantine days before it (rows with `quarantined_at` before it) expire. */
  readonly quarantine: string;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an ISO cutoff (the first day that is kept). */
export const cutoffDay = (iso: string): string => iso.slice(0, 10);

/** Computes the cutoffs of `retention` at `at`. The durations were validated with the config. */
export function retentionCutoffs(retention: RetentionConfig, at: Date): RetentionCutoffs {
  const ms = (d: string): number => parseRetentionDuration(d) ?? Number.NaN;
  const day = (d: string): string => new Date(Math.floor((at.getTime() - ms(d)) / DAY_MS) * DAY_MS).toISOString();
  return Object.freeze({
    at: at.toISOString(),
    bronze: new Date(at.getTime() - ms(retention.bronze)).toISOString(),
    silver: day(retention.silver),
    gold: day(retention.gold),
    quarantine: day(retention.quarantine),
  });
}
