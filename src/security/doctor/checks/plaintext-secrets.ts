/**
 * Plaintext secrets in pipeline files: a literal value under a key that names a credential
 * (`password`, `token`, `api_key`, ...), a URL with an inline password, or text shaped like a known
 * credential (AWS access key, PEM private key, bearer token). `${secret:NAME}` and `${env:NAME}`
 * values are fine. The scan works on raw YAML, so it also covers files that do not load.
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';

const CREDENTIAL_KEY = /(^|[_-])(pass(word|wd|phrase)?|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?)$/i;
const PLACEHOLDER_ONLY = /^\s*(\$\{(secret|env):[^}]+\}\s*)+$/;
const SHAPES: readonly (readonly [RegExp, string])[] = [
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@${}]+:[^\s@${}]+@/i, 'a URL with an inline password'],
  [/\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*/, 'a bearer token'],
  [/\bgh[pousr]_[A-Za-z0-9]{36}\b/, 'a GitHub token'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
];

function scan(file: string): Finding[] {
  const text = readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: false });
  const out: Finding[] = [];
  const report = (offset: number | undefined, path: string, kind: string): void => {
    const line = offset === undefined ? undefined : lc.linePos(offset).line;
    out.push({
      check: 'plaintext-secret', severity: 'high',
      what: `${kind} in plain text at \`${path}\``,
      why: 'Pipeline files are committed, copied and printed; a credential in one is readable by everyone who can read the file or its history.',
      fix: `Store the value with \`tributary secrets set NAME\` (from stdin) and write \`\${secret:NAME}\` instead; rotate the exposed credential.`,
      where: line === undefined ? file : `${file}:${line}`,
    });
  };
  const walk = (node: unknown, path: string, key: string | undefined): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = isScalar(pair.key) ? String(pair.key.value) : '?';
        walk(pair.value, path ? `${path}.${k}` : k, k);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, `${path}[${i}]`, key));
    } else if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) {
      const value = String(node.value);
      if (value === '' || PLACEHOLDER_ONLY.test(value)) return;
      const offset = node.range?.[0];
      if (key !== undefined && CREDENTIAL_KEY.test(key) && !/^(true|false|null|none|-)$/i.test(value)) { report(offset, path, 'A credential'); return; }
      const shape = SHAPES.find(([re]) => re.test(value));
      if (shape) report(offset, path, shape[1].replace(/^./, (c) => c.toUpperCase()));
    }
  };
  walk(doc.contents, '', undefined);
  return out;
}

/** See the module doc. */
export const plaintextSecretsCheck: DoctorCheck = {
  id: 'plaintext-secret',
  description: 'Pipeline files hold no literal password, token, key or credential-shaped text',
  run: async (ctx) => {
    if (ctx.pipelineFiles.length === 0) return { skipped: 'no pipeline files given (pass them as arguments)' };
    return ctx.pipelineFiles.flatMap(scan);
  },
};
