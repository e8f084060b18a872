/** Turns zod issues into user-facing TributaryErrors that name the file, line, path and reason. */
import type { z } from 'zod';
import { ConfigInvalid, UnknownComponent, type TributaryError } from '../core/errors.js';
import { ConfigPlaintextSecret } from './config-errors.js';
import { formatPath, valueAt } from './config-path.js';
import { didYouMean } from './edit-distance.js';
import { COMPONENT_SECTIONS, kindOf, type ComponentRegistry, type ComponentSection } from './registry-types.js';
import { allowedKeysAt } from './schema-at.js';
import { PLAINTEXT_SECRET_ISSUE } from './schema/secret-ref.js';
import type { YamlSourceMap } from './yaml-source-map.js';

/** What {@link mapZodIssues} needs to explain an issue. */
export interface IssueContext {
  /** The pipeline file as the user named it. */
  readonly file: string;
  readonly registry: ComponentRegistry;
  /** The schema that produced the issues (for allowed keys). */
  readonly schema: z.core.$ZodType;
  /** The value that was validated. */
  readonly data: unknown;
  readonly sourceMap: YamlSourceMap;
}

type Issue = z.core.$ZodIssue;

/**
 * One TributaryError per problem (an unknown-keys issue yields one per key), in the order zod
 * reported them: `TRB_CONFIG_UNKNOWN_COMPONENT` for an unregistered type,
 * `TRB_CONFIG_PLAINTEXT_SECRET` for a literal in a secret field, otherwise `TRB_CONFIG_INVALID`.
 */
export function mapZodIssues(issues: readonly Issue[], ctx: IssueContext): TributaryError[] {
  const out: TributaryError[] = [];
  for (const issue of issues) mapIssue(issue, [], ctx, out);
  return out;
}

function mapIssue(issue: Issue, prefix: readonly PropertyKey[], ctx: IssueContext, out: TributaryError[]): void {
  const path = [...prefix, ...issue.path];
  const invalid = (p: readonly PropertyKey[], reason: string) =>
    out.push(ConfigInvalid({ file: ctx.file, line: ctx.sourceMap.locate(p).line, path: formatPath(p), reason }));
  const component = componentProblem(issue, path, ctx);
  if (component) { out.push(component); return; }
  const raw = valueAt(ctx.data, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(ctx.schema, path, ctx.data);
      for (const key of issue.keys) {
        const hint = didYouMean(key, allowed);
        const list = hint === '' && allowed.length > 0 && allowed.length <= 12 ? `; allowed keys: ${allowed.join(', ')}` : '';
        invalid([...path, key], `unknown key \`${key}\`${hint}${list}`);
      }
      return;
    }
    case 'invalid_type': {
      const last = path[path.length - 1];
      if (raw === undefined && typeof last === 'string') return void invalid(path, `missing required key \`${last}\` (${expectedName(issue.expected)})`);
      return void invalid(path, `expected ${expectedName(issue.expected)}, got ${describe(raw)}`);
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => `\`${String(v)}\``).join(', ');
      const hint = typeof raw === 'string' ? didYouMean(raw, issue.values.map(String)) : '';
      return void invalid(path, `expected ${issue.values.length > 1 ? 'one of ' : ''}${values}, got ${describe(raw)}${hint}`);
    }
    case 'too_small':
    case 'too_big':
      return void invalid(path, boundReason(issue, raw));
    case 'invalid_format':
      return void invalid(path, `${issue.message.replace(/^Invalid string: /, '')}, got ${describe(raw)}`);
    case 'invalid_union': {
      if (issue.message !== 'Invalid input' || issue.errors.length === 0) return void invalid(path, `${issue.message}, got ${describe(raw)}`);
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      for (const sub of best) mapIssue(sub, path, ctx, out);
      return;
    }
    case 'custom':
      if (issue.params?.['trb'] === PLAINTEXT_SECRET_ISSUE) {
        out.push(ConfigPlaintextSecret({ file: ctx.file, line: ctx.sourceMap.locate(path).line, path: formatPath(path) }));
        return;
      }
      return void invalid(path, issue.message);
    default:
      return void invalid(path, issue.message);
  }
}

/** TRB_CONFIG_UNKNOWN_COMPONENT (or a missing `type`) when `issue` is about an entry's type. */
function componentProblem(issue: Issue, path: readonly PropertyKey[], ctx: IssueContext): TributaryError | undefined {
  const [section, index, ...rest] = path;
  if (!COMPONENT_SECTIONS.includes(section as ComponentSection) || typeof index !== 'number') return undefined;
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== 'type')) return undefined;
  const aboutType = (issue.code === 'invalid_union' && issue.discriminator === 'type')
    || (issue.code === 'invalid_type' && issue.expected === 'never');
  if (!aboutType) return undefined;
  const s = section as ComponentSection;
  const known = ctx.registry[s].map((spec) => spec.type);
  const entry = valueAt(ctx.data, [s, index]);
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const type = (entry as { type?: unknown }).type;
  const typePath = [s, index, 'type'];
  const line = ctx.sourceMap.locate(typePath).line;
  if (typeof type === 'string') {
    return UnknownComponent({ file: ctx.file, line, path: formatPath(typePath), kind: kindOf(s), type, known });
  }
  const reason = type === undefined
    ? `missing required key \`type\` (one of: ${known.join(', ') || 'none registered'})`
    : `expected a ${kindOf(s)} type (one of: ${known.join(', ')}), got ${describe(type)}`;
  return ConfigInvalid({ file: ctx.file, line, path: formatPath(typePath), reason });
}

function boundReason(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>, raw: unknown): string {
  if (!/^Too (small|big)/.test(issue.message)) return issue.message;
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const op = issue.exact ? 'exactly' : small ? (issue.inclusive === false ? 'more than' : 'at least') : (issue.inclusive === false ? 'less than' : 'at most');
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `needs ${op} ${bound} item${bound === 1 ? '' : 's'}, got ${Array.isArray(raw) ? raw.length : 0}`;
  }
  if (issue.origin === 'string') return `must be ${op} ${bound} character${bound === 1 ? '' : 's'} long`;
  return `must be ${op} ${bound}, got ${describe(raw)}`;
}

function expectedName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string', number: 'a number', int: 'an integer', boolean: 'a boolean (`true` or `false`)',
    array: 'a list', object: 'a mapping', tuple: 'a list', record: 'a mapping', null: '`null`',
  };
  return names[expected] ?? expected;
}

/** A short description of a YAML value for messages. */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return '`null`';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string \`${v.length > 40 ? `${v.slice(0, 37)}...` : v}\``;
  return `\`${String(v)}\``;
}
