/**
 * The roles file schema (zod, strict: an unknown key is an error naming file, line and path). The
 * single declaration of the file's shape; the reference page is generated from it.
 *
 * ```yaml
 * roles:
 *   shop_analyst:
 *     extends: analyst
 *     description: Analysts of the shop site only
 *     permissions: [runs:read]
 *     datasets:
 *       requests:
 *         columns: [ts, path, status, vhost]
 *         row_filter: "vhost = 'shop.example.com'"
 *       rollup_*: {}
 *     allowed_cidrs: [10.0.0.0/8]
 * ```
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { PERMISSIONS } from '../identity/identity.js';
import { BUILTIN_ROLE_NAMES } from './builtin-roles.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A role name: lower-case letters, digits, `_` and `-`, starting with a letter. */
export const RoleName = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'a role name (lower-case letters, digits, `_`, `-`, starting with a letter)');

const DatasetPattern = z.string().regex(/^[A-Za-z0-9_*]{1,63}$/, 'a dataset name or a glob with `*` (letters, digits, `_`, `*`)');

const Cidr = z.string().refine((s) => {
  try { ipaddr.parseCIDR(s); return true; } catch { return false; }
}, 'a network in CIDR notation, e.g. `10.0.0.0/8` or `2001:db8::/32`');

/** What a role sees of the datasets a pattern matches. */
export const DatasetGrantConfig = z.strictObject({
  columns: z.union([z.literal('all'), z.array(z.string().regex(IDENT, 'a column name')).min(1)]).default('all').meta({
    description: 'The columns the role sees: `all`, or a list; every other column is invisible.',
    examples: ['all', ['ts', 'path', 'status']],
  }),
  row_filter: z.string().min(1).max(4000).optional().meta({
    description: 'A SQL predicate over the dataset\'s own columns; only rows where it is true are visible. No subqueries or table functions.',
    examples: ["vhost = 'shop.example.com'"],
  }),
});

/** One custom role. */
export const RoleConfig = z.strictObject({
  description: z.string().max(500).default('').meta({ description: 'What the role is for (shown by `tributary roles` and the API).' }),
  extends: z.enum(BUILTIN_ROLE_NAMES).optional().meta({
    description: 'A built-in role whose permissions, dataset grants and allowed networks this role starts from; its own entries add to them and its dataset grants take precedence.',
  }),
  permissions: z.array(z.enum(PERMISSIONS)).default([]).meta({ description: 'Permissions granted (added to the extended role\'s).' }),
  datasets: z.record(DatasetPattern, DatasetGrantConfig.nullable().transform((g) => g ?? { columns: 'all' as const })).default({}).meta({
    description: 'Datasets granted, by name or glob (`rollup_*`, `*`). An exact name wins over a glob; among globs the first listed wins. Default deny.',
  }),
  allowed_cidrs: z.array(Cidr).min(1).optional().meta({
    description: 'Client networks the role may be used from; without it, any address. Replaces the extended role\'s list.',
    examples: [['10.0.0.0/8', '192.168.1.0/24']],
  }),
});

/** The roles file. */
export const RolesFileConfig = z.strictObject({
  roles: z.record(RoleName, RoleConfig).meta({ description: 'Custom roles by name (the built-in names are reserved).' }),
});

/** A parsed roles file. */
export type RolesFileConfig = z.infer<typeof RolesFileConfig>;
