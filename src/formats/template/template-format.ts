/**
 * The line scanner behind every `%`/`$` log format: walks a compiled template (literal, field,
 * literal, ...) over a line with `indexOf` and char codes, one pass, no regex. Quoted fields end at
 * the first unescaped `"` followed by the next literal; `%t`/`$time_local`/strftime fields are
 * self-delimiting (they may contain spaces).
 */
import type { AccessRecord } from '../../core/record.js';
import { newAccessRecord } from '../access-record.js';
import type { LineFormat, ParseResult } from '../format.js';
import { parseFailure } from '../format.js';
import { applyRequestLine, applyTarget } from '../text/request-line.js';
import { unescapeLogString } from '../text/unescape.js';
import { parseClfTime, type ClfTimeOut } from '../time/clf-time.js';
import { parseIsoTime, type IsoTimeOut } from '../time/iso-time.js';
import { TimeParts } from '../time/strftime.js';
import { Target, resolveClaims, type FieldDef, type TemplateToken } from './field-def.js';

// Hot-path aliases: module-local bindings (no cross-module property or getter loads per line).
const T_CLIENT_IP = Target.ClientIp, T_IDENT = Target.Ident, T_USER = Target.User, T_REQUEST = Target.Request, T_METHOD = Target.Method, T_PATH = Target.Path, T_QUERY = Target.Query, T_PROTOCOL = Target.Protocol, T_REQUEST_URI = Target.RequestUri, T_STATUS = Target.Status, T_BYTES = Target.Bytes, T_REFERER = Target.Referer, T_USER_AGENT = Target.UserAgent, T_FORWARDED_FOR = Target.ForwardedFor, T_VHOST = Target.Vhost, T_PORT = Target.Port, T_TIME_US = Target.TimeUs, T_TIME_MS = Target.TimeMs, T_TIME_SECS = Target.TimeSecs, T_UPSTREAM_LIST = Target.UpstreamList, T_TS_CLF = Target.TsClf, T_TS_CLF_BRACKET = Target.TsClfBracket, T_TS_ISO = Target.TsIso, T_TS_EPOCH_SECS = Target.TsEpochSecs, T_TS_EPOCH_MS = Target.TsEpochMs, T_TS_EPOCH_US = Target.TsEpochUs, T_TS_STRFTIME = Target.TsStrftime, T_TS_FRAC_MS = Target.TsFracMs, T_TS_FRAC_US = Target.TsFracUs;
const newRecord = newAccessRecord, clfTime = parseClfTime, isoTime = parseIsoTime, unescape = unescapeLogString;
const requestLine = applyRequestLine, requestTarget = applyTarget, fail = parseFailure;
const S_DELIM = 0, S_QUOTED = 1, S_SELF = 2, S_TO_SPACE = 3, S_REST = 4;

interface Slot {
  readonly def: FieldDef;
  readonly target: number;
  readonly scan: number;
  /** Literal that must follow the field ('' at the end of the template). */
  readonly after: string;
  readonly last: boolean;
  /** Name of the next field, for "expected X before Y" reasons. */
  readonly nextName: string;
}

/** Options of {@link compileTemplate}. */
export interface TemplateOptions {
  readonly name: string;
  readonly description: string;
  /** `backslash`: values may hold `\"`, `\\`, `\xHH`, `\uXXXX` escapes; `none`: values are raw. */
  readonly escape: 'backslash' | 'none';
  /** Accept (and keep in `extras.trailing`) text after the last field, e.g. fields appended to combined. */
  readonly allowTrailing?: boolean;
}

const q = (s: string): string => `'${s}'`;

/** Parses a decimal `123` / `1.5` in `s[a..b)` into `value * scale`; NaN when not a number. */
function decimal(s: string, a: number, b: number, scale: number): number {
  if (a >= b) return NaN;
  let int = 0, i = a;
  for (; i < b; i++) { const c = s.charCodeAt(i) - 48; if (c < 0 || c > 9) break; int = int * 10 + c; }
  if (i === a && s.charCodeAt(i) !== 46) return NaN;
  if (i === b) return int * scale;
  if (s.charCodeAt(i) !== 46) return NaN;
  let frac = 0, div = 1;
  for (i++; i < b; i++) { const c = s.charCodeAt(i) - 48; if (c < 0 || c > 9) return NaN; frac = frac * 10 + c; div *= 10; }
  return int * scale + (frac * scale) / div;
}

/** Sums a Nginx upstream time list (`0.002, 0.010 : 0.001`) in ms; null when every entry is `-`, NaN when malformed. */
export function sumUpstreamMs(s: string, a: number, b: number): number | null {
  let total = 0, any = false, i = a;
  while (i < b) {
    while (i < b && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 44 || s.charCodeAt(i) === 58)) i++;
    if (i >= b) break;
    let j = i;
    while (j < b && s.charCodeAt(j) !== 44 && s.charCodeAt(j) !== 58 && s.charCodeAt(j) !== 32) j++;
    if (!(j === i + 1 && s.charCodeAt(i) === 45)) {
      const v = decimal(s, i, j, 1000);
      if (Number.isNaN(v)) return NaN;
      total += v; any = true;
    }
    i = j;
  }
  return any ? total : null;
}

function validToken(s: string, a: number, b: number, ip: boolean): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 34 || c === 127) return false;
    if (ip && !((c >= 48 && c <= 58) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 46 || c === 37 || c === 95 || c === 45)) return false;
  }
  return true;
}

/** A compiled `%`/`$` log format. Construct with {@link compileTemplate}. */
export class TemplateFormat implements LineFormat<AccessRecord> {
  readonly name: string;
  readonly schema = 'access' as const;
  readonly description: string;
  readonly specificity: number;
  /** The fields in line order after claim resolution (for docs and tests). */
  readonly fields: readonly FieldDef[];
  readonly #lead: string;
  readonly #slots: readonly Slot[];
  readonly #escapes: boolean;
  readonly #allowTrailing: boolean;
  readonly #clf: ClfTimeOut = { ts: 0, off: 0 };
  readonly #iso: IsoTimeOut = { ts: 0, off: null };
  readonly #parts = new TimeParts();
  readonly #hasParts: boolean;
  #frac = 0;

  constructor(tokens: readonly TemplateToken[], opts: TemplateOptions) {
    this.name = opts.name;
    this.description = opts.description;
    this.#escapes = opts.escape === 'backslash';
    this.#allowTrailing = opts.allowTrailing === true;
    const merged: TemplateToken[] = [];
    for (const t of resolveClaims(tokens)) {
      const prev = merged[merged.length - 1];
      if (typeof t === 'string' && typeof prev === 'string') merged[merged.length - 1] = prev + t;
      else if (t !== '') merged.push(t);
    }
    let lead = '';
    if (typeof merged[0] === 'string') lead = merged.shift() as string;
    // Trailing whitespace is trimmed from lines, so it is trimmed from the final literal too.
    const tail = merged[merged.length - 1];
    if (typeof tail === 'string') merged[merged.length - 1] = tail.replace(/[ \t\r]+$/, '');
    const slots: Slot[] = [];
    const defs: FieldDef[] = [];
    for (let i = 0; i < merged.length; i++) {
      const def = merged[i];
      if (typeof def === 'string' || def === undefined) continue;
      const next = merged[i + 1];
      const after = typeof next === 'string' ? next : '';
      const prevLit = i === 0 ? lead : merged[i - 1];
      const last = i + (after === '' ? 1 : 2) >= merged.length;
      const quoted = typeof prevLit === 'string' && prevLit.endsWith('"') && after.startsWith('"');
      const selfDelim = def.target === T_TS_CLF || def.target === T_TS_CLF_BRACKET || def.target === T_TS_STRFTIME;
      let scan: number;
      if (selfDelim) scan = S_SELF;
      else if (quoted) scan = S_QUOTED;
      else if (after === '') scan = last && !this.#allowTrailing ? S_REST : S_TO_SPACE;
      else scan = S_DELIM;
      const nextDef = merged.slice(i + 1).find((t): t is FieldDef => typeof t !== 'string');
      slots.push({ def, target: def.target, scan, after, last, nextName: nextDef?.name ?? '' });
      defs.push(def);
    }
    this.#lead = lead;
    this.#slots = slots;
    this.fields = Object.freeze(defs);
    this.#hasParts = defs.some((d) => d.target === T_TS_STRFTIME);
    this.specificity = defs.length * 2 + (this.#allowTrailing ? 0 : 1);
  }

  /** Parses one line; see {@link LineFormat.parse}. */
  parse(line: string): ParseResult<AccessRecord> {
    let end = line.length;
    for (let c = line.charCodeAt(end - 1); end > 0 && (c === 32 || c === 9 || c === 13); c = line.charCodeAt(--end - 1)) { /* trim */ }
    const lead = this.#lead;
    const slots = this.#slots;
    if (lead.length > 0 && !line.startsWith(lead)) {
      return fail('parse_failed', `expected ${q(lead)} before ${slots[0]?.def.name ?? 'end of line'} at column 1`, slots[0]?.def.name);
    }
    const rec = newRecord(this.name);
    if (this.#hasParts) this.#parts.reset();
    this.#frac = 0;
    let pos = lead.length;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      let vEnd = -1;
      switch (s.scan) {
        case S_DELIM:
          vEnd = line.indexOf(s.after, pos);
          if (vEnd > end) vEnd = -1;
          break;
        case S_QUOTED: {
          let k = pos;
          for (;;) {
            const qi = line.indexOf('"', k);
            if (qi < 0 || qi >= end) break;
            if (this.#escapes) {
              let b = qi, n = 0;
              while (b > pos && line.charCodeAt(b - 1) === 92) { b--; n++; }
              if ((n & 1) === 1) { k = qi + 1; continue; }
            }
            if (line.startsWith(s.after, qi) && (!s.last || this.#allowTrailing || qi + s.after.length === end)) { vEnd = qi; break; }
            k = qi + 1;
          }
          break;
        }
        case S_SELF:
          vEnd = this.#parseSelf(s, line, pos, rec);
          if (vEnd < 0) return fail('parse_failed', `invalid ${s.def.name} at column ${pos + 1}`, s.def.name);
          if (!line.startsWith(s.after, vEnd) || vEnd + s.after.length > end) {
            return fail('parse_failed', `expected ${q(s.after)} ${s.nextName ? `before ${s.nextName}` : `after ${s.def.name}`} at column ${vEnd + 1}`, s.nextName || s.def.name);
          }
          break;
        case S_TO_SPACE: {
          vEnd = line.indexOf(s.after === '' ? ' ' : s.after, pos);
          if (vEnd < 0 || vEnd > end) vEnd = end;
          break;
        }
        default:
          vEnd = end;
      }
      if (vEnd < 0) {
        return fail('parse_failed', `expected ${q(s.after)} ${s.nextName ? `before ${s.nextName}` : `after ${s.def.name}`} (searched from column ${pos + 1})`, s.def.name);
      }
      if (s.scan !== S_SELF) {
        const err = this.#assign(s, rec, line, pos, vEnd);
        if (err !== null) return fail('parse_failed', `${err} at column ${pos + 1}`, s.def.name);
      }
      pos = vEnd + s.after.length;
    }
    if (pos < end) {
      if (!this.#allowTrailing) return fail('parse_failed', `unexpected text at column ${pos + 1} after the last field`);
      const t = line.slice(pos, end).trim();
      // Appended fields are fine; an unterminated quote means the line was cut (truncated write).
      if (unbalancedQuote(t)) return fail('parse_failed', `line looks truncated: unterminated quote in the text after the last field (column ${pos + 1})`);
      if (t.length > 0) (rec.extras ??= {}).trailing = t;
    }
    if (this.#hasParts && this.#parts.used && rec.ts === null) {
      this.#parts.frac += this.#frac;
      const ts = this.#parts.toMs();
      if (ts === null) return fail('parse_failed', 'invalid date in time fields', 'ts');
      rec.ts = ts;
      rec.ts_offset_min = this.#parts.off;
    } else if (this.#frac !== 0 && rec.ts !== null) rec.ts += this.#frac;
    return { ok: true, record: rec };
  }

  #parseSelf(s: Slot, line: string, pos: number, rec: AccessRecord): number {
    if (s.target === T_TS_STRFTIME) return s.def.strftime ? s.def.strftime.parse(line, pos, this.#parts) : -1;
    const bracket = s.target === T_TS_CLF_BRACKET;
    if (bracket && line.charCodeAt(pos) !== 91) return -1;
    const e = clfTime(line, bracket ? pos + 1 : pos, this.#clf);
    if (e < 0) return -1;
    if (bracket && line.charCodeAt(e) !== 93) return -1;
    rec.ts = this.#clf.ts;
    rec.ts_offset_min = this.#clf.off;
    return bracket ? e + 1 : e;
  }

  /** Stores `line[a..b)` into the record; returns a reason (without column) or null. */
  #assign(s: Slot, rec: AccessRecord, line: string, a: number, b: number): string | null {
    const dash = b - a === 1 && line.charCodeAt(a) === 45;
    const empty = a === b || dash;
    switch (s.target) {
      case T_STATUS: case T_BYTES: case T_PORT: {
        if (empty) return null;
        let v = 0;
        if (b - a > 15) return `expected a number for ${s.def.name}`;
        for (let i = a; i < b; i++) {
          const c = line.charCodeAt(i) - 48;
          if (c < 0 || c > 9) return `expected a number for ${s.def.name}`;
          v = v * 10 + c;
        }
        if (s.target === T_STATUS) { if (b - a > 3) return 'expected a 3-digit status'; rec.status = v; }
        else if (s.target === T_BYTES) rec.bytes_sent = v;
        else rec.port = v;
        return null;
      }
      case T_TIME_US: case T_TIME_MS: case T_TIME_SECS: {
        if (empty) return null;
        const v = decimal(line, a, b, s.target === T_TIME_US ? 0.001 : s.target === T_TIME_MS ? 1 : 1000);
        if (Number.isNaN(v)) return `expected a duration for ${s.def.name}`;
        rec.request_time_ms = v;
        return null;
      }
      case T_UPSTREAM_LIST: {
        const v = sumUpstreamMs(line, a, b);
        if (Number.isNaN(v)) return `expected upstream times for ${s.def.name}`;
        rec.upstream_time_ms = v;
        return null;
      }
      case T_TS_ISO: {
        if (empty) return null;
        const e = isoTime(line, a, this.#iso);
        if (e !== b) return `expected an ISO-8601 time for ${s.def.name}`;
        rec.ts = this.#iso.ts; rec.ts_offset_min = this.#iso.off;
        return null;
      }
      case T_TS_EPOCH_SECS: case T_TS_EPOCH_MS: case T_TS_EPOCH_US: {
        if (empty) return null;
        const v = decimal(line, a, b, s.target === T_TS_EPOCH_SECS ? 1000 : s.target === T_TS_EPOCH_MS ? 1 : 0.001);
        if (Number.isNaN(v)) return `expected an epoch time for ${s.def.name}`;
        rec.ts = v; rec.ts_offset_min = 0;
        return null;
      }
      case T_TS_FRAC_MS: case T_TS_FRAC_US: {
        const v = decimal(line, a, b, s.target === T_TS_FRAC_MS ? 1 : 0.001);
        if (Number.isNaN(v)) return `expected a fraction for ${s.def.name}`;
        this.#frac = v;
        return null;
      }
      case T_CLIENT_IP:
        if (empty) return null;
        if (!validToken(line, a, b, true)) return 'expected a client address';
        rec.client_ip = line.slice(a, b);
        return null;
      case T_VHOST:
        if (empty) return null;
        if (!validToken(line, a, b, false)) return `expected a host name for ${s.def.name}`;
        rec.vhost = line.slice(a, b);
        return null;
      default:
        break;
    }
    const raw = line.slice(a, b);
    if (empty) {
      if (s.target === T_REQUEST) (rec.extras ??= {}).request = raw;
      return null;
    }
    const v = this.#escapes ? unescape(raw) : raw;
    switch (s.target) {
      case T_IDENT: rec.ident = v; break;
      case T_USER: rec.user = v; break;
      case T_REQUEST: requestLine(rec, v, raw); break;
      case T_METHOD: rec.method = v; break;
      case T_PATH: rec.path = v; break;
      case T_QUERY: rec.query = v.charCodeAt(0) === 63 ? v.slice(1) : v; break;
      case T_PROTOCOL: rec.protocol = v; break;
      case T_REQUEST_URI: requestTarget(rec, v); break;
      case T_REFERER: rec.referer = v; break;
      case T_USER_AGENT: rec.user_agent = v; break;
      case T_FORWARDED_FOR: rec.x_forwarded_for = v; break;
      default: (rec.extras ??= {})[s.def.key] = v;
    }
    return null;
  }
}

/** Compiles literal/field tokens into a {@link TemplateFormat}. */
export function compileTemplate(tokens: readonly TemplateToken[], opts: TemplateOptions): TemplateFormat {
  return new TemplateFormat(tokens, opts);
}

/** True when `s` holds an odd number of `"` not escaped by a backslash. */
function unbalancedQuote(s: string): boolean {
  let open = false;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) {
    let bs = 0;
    for (let j = i - 1; j >= 0 && s.charCodeAt(j) === 92; j--) bs++;
    if (bs % 2 === 0) open = !open;
  }
  return open;
}
