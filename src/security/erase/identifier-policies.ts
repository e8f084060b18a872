/**
 * What a pipeline's stages do to the columns that identify a person, read from its config: which
 * policy turns `client_ip` and `user_agent` into what is stored (truncation prefixes, pseudonyms,
 * tokens), which vault keys made pseudonyms and visitor ids, and which dataset names are bound into
 * field tokens. Read structurally from each stage's parsed options (`fields`, `pseudonym_key`,
 * `visitor_key`, `dataset`), so a new stage with the same option names is understood too.
 */
import type { StageSpec } from '../../core/component.js';
import { DEFAULT_VISITOR_KEY } from '../../stages/sessions/visitor-id.js';

/** Default vault key of keyed pseudonyms (`privacy` and `behavior` stages). */
export const DEFAULT_PSEUDONYM_KEY = 'pseudonyms';

/** IPv4 / IPv6 prefix lengths kept by a truncation. */
export interface TruncatePrefixes {
  readonly ipv4: number;
  readonly ipv6: number;
}

/** The identifier-related facts of one pipeline. */
export interface IdentifierPolicies {
  /** Policies applied to `client_ip`, in stage order (`truncate`, `pseudonymize`, `encrypt`, `mask`, `drop`, `keep`); empty = stored as read. */
  readonly clientIp: readonly string[];
  /** Prefixes of every `truncate` policy on `client_ip` (empty when it is not truncated). */
  readonly truncations: readonly TruncatePrefixes[];
  /** Policies applied to `user_agent`, in stage order; anything but `keep` stops visitor ids from being recomputed. */
  readonly userAgent: readonly string[];
  /** HMAC keys pseudonyms may have been made with: the stages' `pseudonym_key`s, then the default. */
  readonly pseudonymKeys: readonly string[];
  /** HMAC keys visitor ids may have been made with: the stages' `visitor_key`s, then the default. */
  readonly visitorKeys: readonly string[];
  /** Dataset names bound into field tokens by the stages (`dataset`), to decrypt `enc:v1:` values. */
  readonly tokenDatasets: readonly string[];
  /**
   * True when a stage takes the client from X-Forwarded-For behind trusted proxies
   * (`trusted_proxies`): visitor ids and client ids are then computed from an address that
   * `client_ip` (the proxy) does not show.
   */
  readonly behindProxies: boolean;
  /** Additional datasets the pipeline's keyed stages write (e.g. `security_events`): warehouse tables to examine. */
  readonly outputDatasets: readonly string[];
}

type Entry = { readonly id: string; readonly type: string } & Readonly<Record<string, unknown>>;

const policyOf = (p: unknown): string | undefined =>
  typeof p === 'string' ? p : p !== null && typeof p === 'object' && typeof (p as { policy?: unknown }).policy === 'string'
    ? (p as { policy: string }).policy : undefined;

/**
 * The policies of the pipeline whose (validated) stage entries are `stages`, each parsed again
 * with its spec from `specs` so defaults apply. Unknown stage types are skipped (validation
 * rejects them before this is called).
 */
export function readIdentifierPolicies(stages: readonly Entry[], specs: readonly StageSpec<any>[]): IdentifierPolicies {
  const clientIp: string[] = [];
  const userAgent: string[] = [];
  const truncations: TruncatePrefixes[] = [];
  const pseudonymKeys: string[] = [];
  const visitorKeys: string[] = [];
  const datasets: string[] = [];
  let behindProxies = false;
  const outputs: string[] = [];
  for (const e of stages) {
    const spec = specs.find((s) => s.type === e.type);
    if (!spec) continue;
    const { id: _id, type: _type, ...rest } = e;
    const c = spec.config.parse(rest) as Readonly<Record<string, unknown>>;
    for (const o of spec.keyed?.outputs(c) ?? []) outputs.push(o.dataset);
    if (typeof c.pseudonym_key === 'string') pseudonymKeys.push(c.pseudonym_key);
    if (typeof c.visitor_key === 'string') visitorKeys.push(c.visitor_key);
    if (Array.isArray(c.trusted_proxies) && c.trusted_proxies.length > 0) behindProxies = true;
    const fields = c.fields;
    // `encrypt` lists field names; `privacy` maps field names to policies.
    const policies: [string, string][] = Array.isArray(fields)
      ? fields.filter((f): f is string => typeof f === 'string').map((f) => [f, 'encrypt'])
      : fields !== null && typeof fields === 'object'
        ? Object.entries(fields).flatMap(([f, p]) => { const name = policyOf(p); return name === undefined ? [] : [[f, name] as [string, string]]; })
        : [];
    for (const [field, policy] of policies) {
      if (field === 'client_ip') {
        clientIp.push(policy);
        const p = (fields as Record<string, { ipv4_prefix?: unknown; ipv6_prefix?: unknown }>)[field];
        if (policy === 'truncate') truncations.push({ ipv4: Number(p?.ipv4_prefix ?? 24), ipv6: Number(p?.ipv6_prefix ?? 48) });
      }
      if (field === 'user_agent') userAgent.push(policy);
    }
    if (policies.some(([, p]) => p === 'encrypt') && typeof c.dataset === 'string') datasets.push(c.dataset);
  }
  const uniq = (a: readonly string[]): readonly string[] => Object.freeze([...new Set(a)]);
  return Object.freeze({
    clientIp: Object.freeze(clientIp), truncations: Object.freeze(truncations), userAgent: Object.freeze(userAgent),
    pseudonymKeys: uniq([...pseudonymKeys, DEFAULT_PSEUDONYM_KEY]), visitorKeys: uniq([...visitorKeys, DEFAULT_VISITOR_KEY]),
    tokenDatasets: uniq(datasets), behindProxies, outputDatasets: uniq(outputs),
  });
}
