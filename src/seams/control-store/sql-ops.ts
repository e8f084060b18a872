/**
 * What the SQL sub-stores (vault, audit) borrow from {@link import('./sql-control-store.js').SqlControlStore}:
 * the Kysely instance and the shared error mapping, write serialisation and closed check.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ControlDb } from './control-db.js';

/** Shared plumbing of one SQL control store. */
export interface SqlOps {
  readonly kind: string;
  readonly db: Kysely<ControlDb>;
  /** Throws `TRB_STORE_CLOSED` after close(). */
  assertOpen(op: string): void;
  /** Runs a writing operation under the adapter's write serialisation. */
  write<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn`, mapping driver errors to `store` family codes. */
  run<T>(op: string, fn: () => Promise<T>): Promise<T>;
  /** Decodes a JSON column as the driver returned it. */
  json(v: unknown): unknown;
  /** True for a primary-key or unique constraint violation. */
  isUniqueViolation(err: unknown): boolean;
  /** Queues an audit append transaction behind other appenders until commit (PostgreSQL); absent when not needed. */
  lockAuditAppends?(trx: Transaction<ControlDb>): Promise<void>;
}
