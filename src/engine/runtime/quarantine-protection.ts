/**
 * Personal data in the quarantine: a rejected record keeps its raw line (for debugging and
 * replay), which for web logs holds the client address, the agent and the full URL. With
 * `engine.quarantine.raw: encrypt` (the default when the pipeline has a `privacy` stage) the raw
 * line is stored as a field token (AES-256-GCM, vault `field` key, bound to dataset `quarantine`
 * and field `raw`) that the audited `tributary decrypt --dataset quarantine --field raw` reads back,
 * and the human reason is redacted (it may quote a field value). Applied on the engine thread
 * before a rejection reaches any sink.
 */
import type { Rejection } from '../../core/outcome.js';
import { encryptField, type FieldKey } from '../../security/crypto/field-cipher.js';
import type { DataKeys } from '../../security/vault/data-keys.js';
import { KeysUnavailable } from '../../security/crypto/errors.js';
import { redactUrl } from '../../stages/privacy/redact-url.js';

/** `engine.quarantine` as configured. */
export interface QuarantineSettings {
  readonly raw: 'auto' | 'encrypt' | 'keep';
  readonly key: string;
}

/** Where quarantined raw lines' tokens are bound (what `tributary decrypt` must name). */
export const QUARANTINE_RAW_CONTEXT = Object.freeze({ dataset: 'quarantine', field: 'raw' });

const IPV4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}\b/g;
const IPV6 = /\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}(?:%\w+)?\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?\b/gi;

/** A reason text with IP addresses masked (`a.b.c.x`, `[ipv6]`) and personal data in URLs redacted. */
export function redactReason(reason: string): string {
  return redactUrl(reason.replace(IPV4, '$1.$2.$3.x').replace(IPV6, '[ipv6]')).text;
}

/**
 * The rejection transform of a run, or undefined when raw lines are kept: fetches (creating) the
 * current version of the `field` key. Throws `TRB_SECRET_KEYS_UNAVAILABLE` when encryption is
 * asked for (or implied) and the run has no vault, and the vault's own errors (sealed).
 */
export async function openQuarantineProtection(
  settings: QuarantineSettings, hasPrivacyStage: boolean, keys: DataKeys | undefined,
): Promise<((r: Rejection) => Rejection) | undefined> {
  const mode = settings.raw === 'auto' ? (hasPrivacyStage ? 'encrypt' : 'keep') : settings.raw;
  if (mode === 'keep') return undefined;
  if (!keys) {
    throw KeysUnavailable({ what: 'Quarantine encryption (engine.quarantine.raw)', key: settings.key, howto: 'Run the pipeline with a vault, or set engine.quarantine.raw: keep' });
  }
  const k = await keys.current(settings.key, 'field', { create: true });
  const key: FieldKey = { name: k.name, version: k.version, material: new Uint8Array(k.material) };
  return (r) => ({ ...r, raw: encryptField(r.raw, key, QUARANTINE_RAW_CONTEXT), reason: redactReason(r.reason) });
}
