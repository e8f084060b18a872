/** User rules (`rules: [...]`) compiled into checks. */
import { ConfigInvalid } from '../../core/errors.js';
import type { ValidateRule } from './config.js';
import { type Check, type CheckFailure, fieldGetter } from './check.js';
import { describeValue } from './describe-value.js';

/** The value as rules compare it: strings as-is, numbers/booleans via String, others as JSON. */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The value as a number, or NaN when it is not numeric (blank strings are not numeric). */
function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

/**
 * Compiles `rules[index]` into a check. The first failing part wins, in the order required,
 * allowed, regex, min_length, max_length, min, max. A missing value (null or absent) fails only
 * `required`; otherwise it skips the rule. Throws `TRB_CONFIG_INVALID` (path
 * `<stageId>.rules[<index>].regex`) when the regex does not compile.
 */
export function compileRule(rule: ValidateRule, index: number, stageId: string): Check {
  const { field } = rule;
  const get = fieldGetter(field);
  const at = `rules[${index}]`;
  const fail = (code: CheckFailure['code'], v: unknown, what: string, part: string): CheckFailure =>
    ({ code, field, reason: `${field} ${describeValue(v)} ${what} (${at}.${part})` });
  let re: RegExp | null = null;
  if (rule.regex !== undefined) {
    try {
      re = new RegExp(rule.regex);
    } catch (err) {
      throw ConfigInvalid({ file: `stage \`${stageId}\``, path: `${stageId}.${at}.regex`, reason: `invalid regular expression: ${err instanceof Error ? err.message : String(err)}` }, err);
    }
  }
  const allowed = rule.allowed ? new Set(rule.allowed.map(String)) : null;
  const allowedText = rule.allowed ? rule.allowed.map((a) => describeValue(a)).join(', ') : '';
  const { required = false, min_length: minLen, max_length: maxLen, min, max } = rule;
  const needsNumber = min !== undefined || max !== undefined;
  return (rec) => {
    const v = get(rec);
    if (v === null || v === undefined) return required ? { code: 'required_missing', field, reason: `${field} is missing (${at}.required)` } : null;
    if (allowed !== null || re !== null || minLen !== undefined || maxLen !== undefined) {
      const s = asText(v);
      if (allowed !== null && !allowed.has(s)) return fail('value_out_of_range', v, `is not one of [${allowedText}]`, 'allowed');
      if (re !== null && !re.test(s)) return fail('schema_violation', v, `does not match /${re.source}/`, 'regex');
      if (minLen !== undefined && s.length < minLen) return fail('value_out_of_range', v, `is shorter than ${minLen} characters`, 'min_length');
      if (maxLen !== undefined && s.length > maxLen) return fail('value_out_of_range', v, `is longer than ${maxLen} characters`, 'max_length');
    }
    if (needsNumber) {
      const n = asNumber(v);
      if (Number.isNaN(n)) return fail('type_conversion_failed', v, 'is not a number', min !== undefined ? 'min' : 'max');
      if (min !== undefined && n < min) return fail('value_out_of_range', v, `is below ${min}`, 'min');
      if (max !== undefined && n > max) return fail('value_out_of_range', v, `is above ${max}`, 'max');
    }
    return null;
  };
}
