/**
 * Whose rows `tributary erase` removes: a person named by the IP address their requests came from
 * (`--ip`), or by an identifier already in the data (`--visitor`: a visitor id `v_…` of the
 * `sessions` stage, or a keyed pseudonym `ps<epoch>_…` of `privacy` / `behavior`).
 */
import { isPseudonym } from '../../stages/privacy/pseudonym.js';
import { isVisitorId } from '../../stages/sessions/visitor-id.js';
import { EraseTargetInvalid } from './errors.js';
import { canonicalIp } from './ip-forms.js';

/** The person to erase. Holds the address itself: never log it or put it in an audit entry. */
export type EraseSubject =
  /** `ip` is the canonical form (see `canonicalIp`). */
  | { readonly kind: 'ip'; readonly ip: string }
  | { readonly kind: 'visitor'; readonly id: string; readonly idKind: 'visitor_id' | 'pseudonym' };

/**
 * The subject named by exactly one of `ip` and `visitor`. Throws `TRB_ERASE_TARGET_INVALID` when
 * neither or both are given, when `ip` is not one IPv4/IPv6 address (a CIDR, a host name), or when
 * `visitor` is neither a visitor id nor a pseudonym. Messages never repeat the value.
 */
export function parseEraseSubject(o: { readonly ip?: string | undefined; readonly visitor?: string | undefined }): EraseSubject {
  if ((o.ip === undefined) === (o.visitor === undefined)) {
    throw EraseTargetInvalid({ option: '--ip / --visitor', reason: 'give exactly one of `--ip <address>` and `--visitor <id>`' });
  }
  if (o.ip !== undefined) {
    const ip = canonicalIp(o.ip);
    if (ip === undefined || o.ip.includes('/')) {
      throw EraseTargetInvalid({ option: '--ip', reason: 'it is not one IPv4 or IPv6 address (ranges and host names are not accepted)' });
    }
    return Object.freeze({ kind: 'ip', ip });
  }
  const id = o.visitor!.trim();
  if (isVisitorId(id)) return Object.freeze({ kind: 'visitor', id, idKind: 'visitor_id' });
  if (isPseudonym(id)) return Object.freeze({ kind: 'visitor', id, idKind: 'pseudonym' });
  throw EraseTargetInvalid({ option: '--visitor', reason: 'expected a visitor id `v_<16 hex>` or a pseudonym `ps<epoch>_<24 hex>`' });
}
