/**
 * The secure views of one role variant (a role, masked or unmasked): for every dataset the role is
 * granted, a view with only the granted columns, personal and sensitive columns replaced by a mask
 * unless unmasked, and the role's row filter applied.
 *
 * A row-filtered view also guards every column with the filter (`CASE WHEN visible THEN col END`),
 * so that even if the optimizer evaluated a user predicate before the view's filter, the predicate
 * could only see NULLs of hidden rows, never their values (no error or timing that depends on a
 * hidden value). Masked columns are constants, so ORDER BY, GROUP BY, comparisons and errors over
 * them reveal nothing.
 */
import { grantFor, type Role } from '../security/rbac/role.js';
import { quoteIdent } from '../sinks/_shared/sql.js';
import type { CatalogColumn, Dataset } from './dataset-catalog.js';
import { isMaskedClass } from './column-pii.js';

/** The string personal/sensitive text columns show when masked. */
export const MASK_TEXT = '***';

/** A column of a secure view. */
export interface SecureColumn extends CatalogColumn {
  readonly masked: boolean;
}

/** One secure view: the dataset it exposes, its columns, and its row filter. */
export interface SecureView {
  readonly dataset: string;
  readonly columns: readonly SecureColumn[];
  readonly rowFilter?: string;
}

/**
 * The views `role` gets over `datasets`: granted datasets only (default deny), granted columns only
 * (a dataset whose granted columns all are missing is left out), masked unless `unmasked`.
 */
export function secureViewsFor(role: Role, datasets: readonly Dataset[], unmasked: boolean): readonly SecureView[] {
  const out: SecureView[] = [];
  for (const d of datasets) {
    const grant = grantFor(role, d.name);
    if (grant === undefined) continue;
    const allowed = grant.columns === 'all' ? undefined : new Set(grant.columns.map((c) => c.toLowerCase()));
    const columns = d.columns
      .filter((c) => allowed === undefined || allowed.has(c.name.toLowerCase()))
      .map((c) => Object.freeze({ ...c, masked: !unmasked && isMaskedClass(c.pii) }));
    if (columns.length === 0) continue;
    out.push(Object.freeze({ dataset: d.name, columns: Object.freeze(columns), ...(grant.rowFilter === undefined ? {} : { rowFilter: grant.rowFilter }) }));
  }
  return Object.freeze(out);
}

/** The mask of a column: `'***'` for text, NULL of the column's type otherwise. */
export function maskExpression(c: CatalogColumn): string {
  return c.type === 'VARCHAR' ? `CAST('${MASK_TEXT}' AS VARCHAR)` : `CAST(NULL AS ${c.type})`;
}

/** `CREATE VIEW` of `view` in schema `schema`, reading `source` (an already quoted, qualified relation). */
export function createViewSql(schema: string, view: SecureView, source: string): string {
  const guard = view.rowFilter !== undefined;
  const cols = view.columns.map((c) => {
    const q = quoteIdent(c.name);
    if (c.masked) return `${maskExpression(c)} AS ${q}`;
    return guard ? `CASE WHEN (${view.rowFilter}) THEN ${q} END AS ${q}` : q;
  });
  // The filter is repeated rather than computed once as a column, so DuckDB can still push it
  // into the scan (zone maps); the guards only cost for the columns a query uses.
  const from = guard ? `${source} WHERE (${view.rowFilter})` : source;
  return `CREATE VIEW ${quoteIdent(schema)}.${quoteIdent(view.dataset)} AS SELECT ${cols.join(', ')} FROM ${from}`;
}
