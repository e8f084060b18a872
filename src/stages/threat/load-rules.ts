/** Loading and checking signature files (YAML). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigInvalid } from '../../core/errors.js';
import { SignatureFile, type SignatureRule } from './rule-schema.js';

/** Path of the shipped signatures (`rules/threat-signatures.yaml` at the package root). */
export function builtinRulesFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the threat stage');
    dir = up;
  }
  return join(dir, 'rules', 'threat-signatures.yaml');
}

/** The rules of one YAML file; `TRB_CONFIG_INVALID` naming the file and the bad rule otherwise. */
export function loadRulesFile(file: string): readonly SignatureRule[] {
  const path = resolve(file);
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw ConfigInvalid({ file: path, path: '(file)', reason: `cannot read the signatures: ${(err as Error).message}` }, err);
  }
  const r = SignatureFile.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw ConfigInvalid({ file: path, path: (issue?.path ?? []).join('.') || '(root)', reason: issue?.message ?? 'invalid signature file' });
  }
  return r.data.rules;
}
