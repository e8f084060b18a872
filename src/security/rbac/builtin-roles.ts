/**
 * The built-in roles. Every deployment has them; the roles file may add custom roles that extend
 * them but never redefine them. The reasoning behind each grant is in docs/security/access-control.md.
 */
import { PERMISSIONS, type Permission } from '../identity/identity.js';
import type { DatasetGrant, Role } from './role.js';

/** Names of the built-in roles. */
export const BUILTIN_ROLE_NAMES = ['admin', 'engineer', 'analyst', 'security', 'auditor'] as const;
/** One of {@link BUILTIN_ROLE_NAMES}. */
export type BuiltinRoleName = (typeof BUILTIN_ROLE_NAMES)[number];

const all = (pattern: string): DatasetGrant => ({ pattern, columns: 'all' });

/** Analytic datasets: the access table and its views, sessions, and the gold star schema and rollups. */
const ANALYTIC: readonly DatasetGrant[] = [
  'requests', 'sessions', 'requests_per_hour', 'top_paths', 'status_mix', 'top_clients',
  'fact_*', 'dim_*', 'rollup_*', 'bots_day', 'endpoint_performance_day', 'entry_exit_pages_day', 'not_found_day',
  'referrers_day', 'search_keywords_day', 'sessions_day', 'visitor_days', 'visitor_geo_days',
].map(all);

/** Security datasets: threat events, bots and the access data they are investigated against. */
const SECURITY: readonly DatasetGrant[] = [
  'security_events', 'security_events_day', 'stg_security_events', 'bots_day', 'not_found_day',
  'requests', 'top_clients', 'fact_requests', 'quarantine', 'quarantine_by_reason',
].map(all);

function role(name: BuiltinRoleName, description: string, permissions: readonly Permission[], datasets: readonly DatasetGrant[]): Role {
  return Object.freeze({ name, description, builtin: true, permissions: new Set(permissions), datasets: Object.freeze([...datasets]) });
}

/** The built-in roles by name. */
export const BUILTIN_ROLES: Readonly<Record<BuiltinRoleName, Role>> = Object.freeze({
  admin: role('admin', 'Everything, including personal data unmasked and decrypted, API keys and the audit log.',
    PERMISSIONS, [all('*')]),
  engineer: role('engineer', 'Runs and operates pipelines; SQL over every dataset with personal columns masked.',
    ['sql:query', 'datasets:read', 'pipelines:read', 'pipelines:run', 'runs:read', 'quarantine:read'], [all('*')]),
  analyst: role('analyst', 'SQL over the analytic datasets (requests, sessions, gold models) with personal columns masked; no quarantine, no security events.',
    ['sql:query', 'datasets:read'], ANALYTIC),
  security: role('security', 'Threat investigation: security events, bots, requests and quarantine, with personal data (client IPs) unmasked.',
    ['sql:query', 'datasets:read', 'quarantine:read', 'runs:read', 'pii:read'], SECURITY),
  auditor: role('auditor', 'Reads and verifies the audit log, runs and pipeline definitions; no SQL over the data.',
    ['audit:read', 'runs:read', 'pipelines:read', 'datasets:read'], []),
});

/** True when `name` is a built-in role. */
export function isBuiltinRole(name: string): name is BuiltinRoleName {
  return (BUILTIN_ROLE_NAMES as readonly string[]).includes(name);
}
