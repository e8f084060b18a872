/**
 * `${env:NAME}` substitution inside YAML string scalars (before validation).
 *
 * - `${env:NAME}` is replaced by the variable; unset → a problem (`TRB_CONFIG_ENV_MISSING`).
 * - `${env:NAME:-default}` uses `default` when NAME is unset or empty (shell semantics).
 * - `$${env:NAME}` is an escape and leaves the literal text `${env:NAME}`.
 * - `${secret:NAME}` is kept as-is (resolved at run time through the vault).
 * - Any other `${provider:...}` is a problem.
 * Keys are never substituted. An unquoted (plain) scalar that contained a placeholder is re-typed
 * after substitution as YAML would type it (`workers: ${env:N}` with N=4 gives the number 4);
 * quoted scalars always stay strings.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Scalar } from 'yaml';
import type { ConfigPath } from './config-path.js';

/** A placeholder that could not be substituted, at the path of the scalar holding it. */
export type PlaceholderProblem =
  | { readonly kind: 'env_missing'; readonly path: ConfigPath; readonly variable: string }
  | { readonly kind: 'bad_placeholder'; readonly path: ConfigPath; readonly reason: string };

const PLACEHOLDER = /\$(\$?)\{([A-Za-z_]+):([^}]*)\}/g;
const ENV_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Substitutes every placeholder of `doc` in place and returns the problems found (file order). */
export function substitutePlaceholders(doc: Document, env: NodeJS.ProcessEnv): readonly PlaceholderProblem[] {
  const problems: PlaceholderProblem[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        visit(pair.value, [...path, typeof key === 'number' ? key : String(key)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && !isAlias(node)) {
      substituteScalar(node as Scalar<string>, path, env, problems);
    }
  };
  visit(doc.contents, []);
  return problems;
}

function substituteScalar(node: Scalar<string>, path: ConfigPath, env: NodeJS.ProcessEnv, problems: PlaceholderProblem[]): void {
  let changed = false;
  const out = node.value.replace(PLACEHOLDER, (whole, escape: string, provider: string, body: string) => {
    if (provider === 'secret') {
      if (!SECRET_NAME.test(body)) problems.push({ kind: 'bad_placeholder', path, reason: `invalid secret name \`${body}\` in \`${whole}\`` });
      return whole;
    }
    if (provider !== 'env') {
      problems.push({ kind: 'bad_placeholder', path, reason: `unknown placeholder \`${whole}\` (use \`\${env:NAME}\` or \`\${secret:NAME}\`)` });
      return whole;
    }
    if (escape === '$') { changed = true; return whole.slice(1); }
    const m = ENV_BODY.exec(body);
    if (!m) {
      problems.push({ kind: 'bad_placeholder', path, reason: `invalid placeholder \`${whole}\` (expected \`\${env:NAME}\` or \`\${env:NAME:-default}\`)` });
      return whole;
    }
    const name = m[1] ?? '';
    const fallback = m[2];
    const value = env[name];
    changed = true;
    if (fallback !== undefined && (value === undefined || value === '')) return fallback;
    if (value === undefined) { problems.push({ kind: 'env_missing', path, variable: name }); return whole; }
    return value;
  });
  if (!changed) return;
  (node as Scalar<unknown>).value = node.type === 'PLAIN' ? retype(out) : out;
}

/**
 * The number, boolean or null YAML gives the plain scalar `text`; any other text stays a string
 * (so substituted values can never inject structure, comments, anchors or tags).
 */
function retype(text: string): unknown {
  if (!/^[-+.0-9A-Za-z_~]+$/.test(text)) return text;
  const d = parseDocument(text);
  if (d.errors.length > 0 || !isScalar(d.contents) || typeof d.contents.value === 'string') return text;
  return d.contents.value;
}
