/**
 * A resolved role: what an identity holding it may do and see. Roles come from the built-in set
 * (builtin-roles.ts) and the roles file (load-roles.ts); both resolve to this shape. Grants are
 * default deny: a dataset no pattern matches is invisible, a column not listed is invisible.
 */
import type { Permission } from '../identity/identity.js';

/** The columns of a dataset a role may see: every column, or exactly these. */
export type ColumnGrant = 'all' | readonly string[];

/** What a role may see of the datasets a pattern matches. */
export interface DatasetGrant {
  /** A dataset name, or a glob where `*` matches any run of characters (`rollup_*`, `*`). */
  readonly pattern: string;
  readonly columns: ColumnGrant;
  /**
   * A SQL predicate over the dataset's own columns (`vhost = 'shop.example.com'`); only rows for
   * which it is true are visible. Checked by the query engine with DuckDB's parser.
   */
  readonly rowFilter?: string;
}

/** A role. Immutable. */
export interface Role {
  readonly name: string;
  readonly description: string;
  readonly builtin: boolean;
  /** The built-in role it extends (custom roles only). */
  readonly extends?: string;
  readonly permissions: ReadonlySet<Permission>;
  /** In precedence order: the first grant whose pattern matches a dataset decides (exact names before globs). */
  readonly datasets: readonly DatasetGrant[];
  /** Client networks the role may be used from (CIDR); absent means any address. */
  readonly allowedCidrs?: readonly string[];
}

const globCache = new Map<string, RegExp>();

/** True when dataset `name` matches grant `pattern` (case-insensitive; `*` is the only wildcard). */
export function patternMatches(pattern: string, name: string): boolean {
  let re = globCache.get(pattern);
  if (re === undefined) {
    const body = pattern.toLowerCase().split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`);
    globCache.set(pattern, re);
  }
  return re.test(name.toLowerCase());
}

/**
 * The grant that decides what `role` sees of `dataset`: an exact-name grant first, else the first
 * matching glob in the role's order; undefined (invisible) when none matches. Names starting with
 * `_` (Tributary's bookkeeping tables) are never granted, not even by `*`.
 */
export function grantFor(role: Role, dataset: string): DatasetGrant | undefined {
  if (dataset.startsWith('_')) return undefined;
  const lower = dataset.toLowerCase();
  return role.datasets.find((g) => !g.pattern.includes('*') && g.pattern.toLowerCase() === lower)
    ?? role.datasets.find((g) => g.pattern.includes('*') && patternMatches(g.pattern, dataset));
}
