/**
 * The odd and broken lines the generator mixes in, modelled on what real servers and disks
 * produce, and what a correct pipeline must do with each.
 */

/** Every kind of malformed or unusual line the generator writes. */
export type MalformedKind =
  | 'truncated'
  | 'truncated_tail'
  | 'tls_handshake'
  | 'timeout_408'
  | 'binary'
  | 'bad_status'
  | 'bad_month'
  | 'overlong'
  | 'empty';

/**
 * What a correct pipeline does with a kind:
 * - `reject`: quarantined (parse_failed, or value_out_of_range for an impossible status; an
 *   over-long line is rejected by the 64 KiB line limit);
 * - `valid`: a real record of a junk request (method/path/protocol null, status 400 or 408);
 * - `blank`: an empty line, which holds no record (a source may skip or reject it);
 * - `either`: a strict parser rejects it, a lenient one keeps the intact common-log prefix.
 */
export type MalformedDisposition = 'reject' | 'valid' | 'blank' | 'either';

/** Description of one kind. */
export interface MalformedKindInfo {
  readonly kind: MalformedKind;
  /** Relative frequency among malformed lines. */
  readonly weight: number;
  readonly disposition: MalformedDisposition;
  readonly description: string;
}

/** The kinds, their share among malformed lines and their expected handling. */
export const MALFORMED_KINDS: readonly MalformedKindInfo[] = Object.freeze([
  { kind: 'truncated', weight: 13, disposition: 'reject', description: 'Line cut inside the quoted request (crash or copytruncate rotation).' },
  { kind: 'truncated_tail', weight: 13, disposition: 'reject', description: 'Line cut inside the quoted referer or user agent: unterminated quote after a complete common-log prefix (rejected as truncated).' },
  { kind: 'tls_handshake', weight: 20, disposition: 'valid', description: 'TLS ClientHello bytes sent to a plain-HTTP port, logged escaped with status 400.' },
  { kind: 'timeout_408', weight: 16, disposition: 'valid', description: 'Connection opened but no request sent: request "-" with status 408.' },
  { kind: 'binary', weight: 10, disposition: 'reject', description: 'NUL and non-UTF-8 bytes (disk corruption after a crash); not valid UTF-8.' },
  { kind: 'bad_status', weight: 10, disposition: 'reject', description: 'Impossible status code 999.' },
  { kind: 'bad_month', weight: 9, disposition: 'reject', description: 'Timestamp with a month name that does not exist in English (Okt, Mrz, Dez, Foo).' },
  { kind: 'overlong', weight: 0.5, disposition: 'reject', description: 'Line longer than 64 KiB (huge query string from a probe).' },
  { kind: 'empty', weight: 8.5, disposition: 'blank', description: 'Empty line.' },
] satisfies MalformedKindInfo[]);

/** Counts per malformed kind (every kind present, zero when none was written). */
export type MalformedCounts = Readonly<Record<MalformedKind, number>>;

/** A fresh all-zero mutable counter object. */
export function emptyMalformedCounts(): Record<MalformedKind, number> {
  return { truncated: 0, truncated_tail: 0, tls_handshake: 0, timeout_408: 0, binary: 0, bad_status: 0, bad_month: 0, overlong: 0, empty: 0 };
}

/** Number of lines in `counts` a correct pipeline quarantines (disposition `reject`). */
export function expectedRejections(counts: MalformedCounts): number {
  return MALFORMED_KINDS.reduce((n, k) => n + (k.disposition === 'reject' ? counts[k.kind] : 0), 0);
}
