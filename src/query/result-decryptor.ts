/**
 * Decryption of encrypted field tokens in query results, for identities holding `pii:read` only.
 * A token binds the dataset and field it was written for (see security/crypto/field-cipher.ts), but
 * a result column may be renamed or derived, so the candidates are the role's personal and
 * sensitive columns (quarantined raw lines are tokens too), those named like the result column
 * first. A token that none opens stays a token.
 */
import { decryptFieldToken, isFieldToken, type FieldContext } from '../security/crypto/field-cipher.js';
import type { DataKeys } from '../security/vault/data-keys.js';
import type { Cell } from './query-engine.js';
import type { SecureView } from './secure-views.js';

/** Decrypts the tokens in rows of a result, in place. */
export type RowDecryptor = (rows: Cell[][], columns: readonly string[]) => Promise<void>;

/** A decryptor for the sensitive columns of `views`, or undefined when there is nothing to decrypt. */
export function createRowDecryptor(keys: DataKeys, views: readonly SecureView[]): RowDecryptor | undefined {
  const contexts: FieldContext[] = [];
  for (const v of views) for (const c of v.columns) if ((c.pii === 'sensitive' || c.pii === 'personal') && !c.masked) contexts.push({ dataset: v.dataset, field: c.name });
  if (contexts.length === 0) return undefined;
  const open = async (token: string, column: string): Promise<string> => {
    const ordered = [...contexts.filter((c) => c.field === column), ...contexts.filter((c) => c.field !== column)];
    for (const ctx of ordered) {
      try {
        return await decryptFieldToken(token, keys, ctx);
      } catch {
        // Wrong context (the token binds another dataset/field): try the next.
      }
    }
    return token;
  };
  return async (rows, columns) => {
    const work: Promise<void>[] = [];
    for (const row of rows) {
      row.forEach((cell, i) => {
        if (isFieldToken(cell)) work.push(open(cell, columns[i] ?? '').then((v) => { row[i] = v; }));
      });
    }
    await Promise.all(work);
  };
}
