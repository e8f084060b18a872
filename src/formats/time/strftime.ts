/**
 * Parsing side of strftime: compiles an Apache `%{format}t` pattern (the usual subset: %Y %y %m %d
 * %e %j %H %I %M %S %p %b %h %B %a %A %z %Z %s %T %D %F %R %r %c %n %t %%) into a self-delimiting
 * parser that fills a {@link TimeParts} accumulator. Several time directives of one line (e.g.
 * `%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t`) share one accumulator.
 */
import { civilToMs, daysFromCivil, digitsAt, MONTH_NAMES, monthAt, offsetAt, WEEKDAY_NAMES } from './civil.js';

/** Date-time pieces gathered while parsing one line; `reset()` before each line. */
export class TimeParts {
  y = 1970; mo = 1; d = 1; h = 0; mi = 0; s = 0; frac = 0; doy = 0; pm = -1;
  off: number | null = null;
  epochMs: number | null = null;
  used = false;
  /** Clears every piece. */
  reset(): void {
    this.y = 1970; this.mo = 1; this.d = 1; this.h = 0; this.mi = 0; this.s = 0; this.frac = 0; this.doy = 0; this.pm = -1;
    this.off = null; this.epochMs = null; this.used = false;
  }
  /** UTC epoch ms of the gathered pieces (offset applied), or null when they are not a valid date. */
  toMs(): number | null {
    if (this.epochMs !== null) return this.epochMs + this.frac;
    let h = this.h;
    if (this.pm === 1 && h < 12) h += 12; else if (this.pm === 0 && h === 12) h = 0;
    let base: number | null;
    if (this.doy > 0) base = (daysFromCivil(this.y, 1, 1) + this.doy - 1) * 86_400_000 + h * 3_600_000 + this.mi * 60_000 + this.s * 1000;
    else base = civilToMs(this.y, this.mo, this.d, h, this.mi, this.s);
    if (base === null) return null;
    return base + this.frac - (this.off ?? 0) * 60_000;
  }
}

type Op = (s: string, i: number, p: TimeParts) => number;

const FULL_MONTHS = MONTH_NAMES.map((m) => m.toLowerCase());
const FULL_DAYS = WEEKDAY_NAMES.map((m) => m.toLowerCase());
const scratch = { off: 0 };

function num(min: number, max: number, set: (p: TimeParts, v: number) => void, pad = false): Op {
  return (s, i, p) => {
    if (pad) while (s.charCodeAt(i) === 32) i++;
    let v = 0, k = i;
    for (let c = s.charCodeAt(k) - 48; c >= 0 && c <= 9 && k - i < max; c = s.charCodeAt(++k) - 48) v = v * 10 + c;
    if (k - i < min) return -1;
    set(p, v);
    return k;
  };
}
function word(names: readonly string[], set: (p: TimeParts, v: number) => void): Op {
  return (s, i, p) => {
    for (let n = 0; n < names.length; n++) {
      const w = names[n]!;
      if (s.substr(i, w.length).toLowerCase() === w) { set(p, n + 1); return i + w.length; }
    }
    return -1;
  };
}
function lit(ch: string): Op {
  return (s, i) => (s.startsWith(ch, i) ? i + ch.length : -1);
}
const letters: Op = (s, i) => {
  let k = i;
  for (let c = s.charCodeAt(k) | 32; c >= 97 && c <= 122; c = s.charCodeAt(++k) | 32) { /* skip */ }
  return k > i ? k : -1;
};

const EXPAND: Readonly<Record<string, string>> = {
  T: '%H:%M:%S', D: '%m/%d/%y', F: '%Y-%m-%d', R: '%H:%M', r: '%I:%M:%S %p', c: '%a %b %e %H:%M:%S %Y',
};

function opFor(ch: string): Op | null {
  switch (ch) {
    case 'Y': return num(4, 4, (p, v) => { p.y = v; });
    case 'y': return num(2, 2, (p, v) => { p.y = v < 69 ? 2000 + v : 1900 + v; });
    case 'm': return num(1, 2, (p, v) => { p.mo = v; });
    case 'd': return num(1, 2, (p, v) => { p.d = v; });
    case 'e': return num(1, 2, (p, v) => { p.d = v; }, true);
    case 'j': return num(1, 3, (p, v) => { p.doy = v; });
    case 'H': case 'I': return num(1, 2, (p, v) => { p.h = v; });
    case 'k': case 'l': return num(1, 2, (p, v) => { p.h = v; }, true);
    case 'M': return num(1, 2, (p, v) => { p.mi = v; });
    case 'S': return num(1, 2, (p, v) => { p.s = v; });
    case 's': return num(1, 12, (p, v) => { p.epochMs = v * 1000; });
    case 'p': return (s, i, p) => {
      const a = s.charCodeAt(i) | 32, m = s.charCodeAt(i + 1) | 32;
      if ((a !== 97 && a !== 112) || m !== 109) return -1;
      p.pm = a === 112 ? 1 : 0;
      return i + 2;
    };
    case 'b': case 'h': return (s, i, p) => { const m = monthAt(s, i); if (!m) return -1; p.mo = m; return i + 3; };
    case 'B': return word(FULL_MONTHS, (p, v) => { p.mo = v; });
    case 'A': return word(FULL_DAYS, () => undefined);
    case 'a': return word(FULL_DAYS.map((d) => d.slice(0, 3)), () => undefined);
    case 'z': return (s, i, p) => { const e = offsetAt(s, i, scratch); if (e < 0) return -1; p.off = scratch.off; return e; };
    case 'Z': return (s, i, p) => {
      const e = letters(s, i, p);
      if (e > 0 && /^(UTC|GMT|Z)$/i.test(s.slice(i, e))) p.off = 0;
      return e;
    };
    case 'n': case 't': return (s, i) => { let k = i; while (s.charCodeAt(k) === 32 || s.charCodeAt(k) === 9) k++; return k; };
    case '%': return lit('%');
    default: return null;
  }
}

/** A compiled strftime pattern. */
export interface StrftimeParser {
  /** The pattern it was compiled from. */
  readonly pattern: string;
  /** Parses at `s[i]`, filling `parts`; returns the end index or -1. */
  parse(s: string, i: number, parts: TimeParts): number;
}

/** Compiles `pattern`; unknown conversions make the parser fail on every line (never throw). */
export function compileStrftime(pattern: string): StrftimeParser {
  let expanded = pattern;
  for (let guard = 0; guard < 3 && /%[TDFRrc]/.test(expanded); guard++) {
    expanded = expanded.replace(/%([TDFRrc])/g, (_m, c: string) => EXPAND[c] ?? '');
  }
  const ops: Op[] = [];
  let bad = false;
  for (let i = 0; i < expanded.length; i++) {
    const ch = expanded[i]!;
    if (ch === '%' && i + 1 < expanded.length) {
      const op = opFor(expanded[++i]!);
      if (op) ops.push(op); else bad = true;
    } else ops.push(lit(ch));
  }
  return {
    pattern,
    parse(s, i, parts) {
      if (bad) return -1;
      let k = i;
      for (const op of ops) { k = op(s, k, parts); if (k < 0) return -1; }
      parts.used = true;
      return k;
    },
  };
}
