/**
 * Everything a person's rows can carry instead of (or besides) their address, computed once per
 * erasure from the subject, the pipeline's policies and the vault: the address's text forms, its
 * keyed pseudonyms under every version (epoch) of every pseudonym key, its truncated forms, and the
 * visitor-id keys. These values are as sensitive as the address: keep them in memory only.
 */
import type { DataKey, DataKeys } from '../vault/data-keys.js';
import { pseudonym } from '../../stages/privacy/pseudonym.js';
import { truncateIp } from '../../stages/privacy/truncate-ip.js';
import type { EraseSubject } from './erase-subject.js';
import type { IdentifierPolicies, TruncatePrefixes } from './identifier-policies.js';
import { canonicalIp, ipLinePattern, ipTextForms } from './ip-forms.js';

/** Truncations tried when the pipeline configures none (the `privacy` stage's defaults). */
const DEFAULT_TRUNCATIONS: readonly TruncatePrefixes[] = [{ ipv4: 24, ipv6: 48 }];

/** One HMAC key and the versions (epochs) of it found in the vault. */
export interface KeyEpochs {
  readonly name: string;
  readonly versions: readonly number[];
}

/** The identifiers of one subject (see the module doc). */
export interface SubjectIdentifiers {
  readonly subject: EraseSubject;
  /** Text forms of the address, canonical first (empty for a `--visitor` subject). */
  readonly ipForms: readonly string[];
  /** Values a column holds for this person, whatever row it is in: per column name. */
  readonly exact: Readonly<Record<'client_ip' | 'client_id' | 'x_forwarded_for' | 'visitor_id', readonly string[]>>;
  /** Truncated forms of the address under the configured (else default) prefixes. */
  readonly truncated: readonly string[];
  /** True when the pipeline truncates `client_ip`: stored values equal to {@link truncated} are shared by many people. */
  readonly truncationConfigured: boolean;
  /** Pseudonym keys and their epochs that pseudonyms were computed for. */
  readonly pseudonymEpochs: readonly KeyEpochs[];
  /** Every version of every visitor-id key (material in memory only). */
  readonly visitorKeys: readonly DataKey[];
  /** Case-insensitive pattern finding the address in text (RE2 and JavaScript); undefined for `--visitor`. */
  readonly linePattern: string | undefined;
  /** True when `value` (one stored or decrypted address) is this person's address, not a shared truncated one. */
  matchesAddress(value: string): boolean;
  /** True when the comma-separated address list `value` (X-Forwarded-For) names this person's address. */
  matchesAddressList(value: string): boolean;
}

async function hmacVersions(keys: DataKeys, names: readonly string[]): Promise<DataKey[][]> {
  const out: DataKey[][] = [];
  for (const name of names) out.push((await keys.all(name)).filter((k) => k.kind === 'hmac'));
  return out;
}

/**
 * Computes the identifiers of `subject`. Reads every version of the pipeline's pseudonym and
 * visitor keys from `keys` (keys that were never created are skipped); the vault's errors (sealed,
 * kind mismatch) propagate.
 */
export async function resolveSubjectIdentifiers(subject: EraseSubject, policies: IdentifierPolicies, keys: DataKeys): Promise<SubjectIdentifiers> {
  const pseudonymKeys = await hmacVersions(keys, policies.pseudonymKeys);
  const pseudonymEpochs = policies.pseudonymKeys.map((name, i) => ({ name, versions: pseudonymKeys[i]!.map((k) => k.version) }))
    .filter((e) => e.versions.length > 0);
  const visitorKeys = (await hmacVersions(keys, policies.visitorKeys)).flat();
  if (subject.kind === 'visitor') {
    const id = [subject.id];
    const ps = subject.idKind === 'pseudonym' ? id : [];
    return Object.freeze({
      subject, ipForms: [], truncated: [], truncationConfigured: policies.truncations.length > 0, pseudonymEpochs, visitorKeys,
      exact: { client_ip: ps, client_id: ps, x_forwarded_for: ps, visitor_id: subject.idKind === 'visitor_id' ? id : [] },
      linePattern: undefined, matchesAddress: () => false, matchesAddressList: () => false,
    });
  }
  const ipForms = ipTextForms(subject.ip);
  const ps = (field: string): string[] =>
    [...new Set(pseudonymKeys.flat().flatMap((k) => ipForms.map((f) => pseudonym(k.material, k.version, field, f))))];
  const truncations = policies.truncations.length > 0 ? policies.truncations : DEFAULT_TRUNCATIONS;
  const truncated = [...new Set(truncations.flatMap((t) => ipForms.map((f) => truncateIp(f, { ipv4Prefix: t.ipv4, ipv6Prefix: t.ipv6 }))
    .filter((x): x is string => x !== undefined)))];
  const truncationConfigured = policies.truncations.length > 0;
  // An address with no host bits equals its own truncation: a stored value then cannot tell it from its neighbours.
  const shared = truncationConfigured && truncated.some((t) => canonicalIp(t) === subject.ip);
  const matchesAddress = (v: string): boolean => !shared && canonicalIp(v) === subject.ip;
  const clientPs = ps('client_ip');
  return Object.freeze({
    subject, ipForms, truncated, truncationConfigured, pseudonymEpochs, visitorKeys,
    exact: { client_ip: clientPs, client_id: clientPs, x_forwarded_for: ps('x_forwarded_for'), visitor_id: [] },
    linePattern: ipLinePattern(subject.ip),
    matchesAddress,
    matchesAddressList: (v: string) => v.split(',').some((item) => matchesAddress(item)),
  });
}
