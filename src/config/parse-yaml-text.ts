/**
 * The first step of every YAML file Tributary reads (pipelines, the server config, roles): parse
 * with duplicate keys refused and line numbers kept, so later problems name file, line and path.
 */
import { type Document, LineCounter, parseDocument } from 'yaml';
import { ConfigInvalid, type TributaryError } from '../core/errors.js';
import { createYamlSourceMap, type YamlSourceMap } from './yaml-source-map.js';

/** A parsed YAML document with its source map, or its syntax problems. */
export type ParsedYaml =
  | { readonly ok: true; readonly doc: Document; readonly sourceMap: YamlSourceMap }
  | { readonly ok: false; readonly problems: readonly TributaryError[] };

/** What a syntax problem becomes (default `TRB_CONFIG_INVALID`); details carry file, line, col and path `(syntax)`. */
export type SyntaxProblem = (details: { file: string; line: number; col: number; path: string; reason: string }, cause: unknown) => TributaryError;

/** Parses `text` read from `file`; syntax errors come back as problems, one per error. */
export function parseYamlText(text: string, file: string, problem: SyntaxProblem = ConfigInvalid): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return problem({ file, line, col, path: '(syntax)', reason: `YAML syntax error at column ${col}: ${e.message}` }, e);
      }),
    };
  }
  return { ok: true, doc, sourceMap: createYamlSourceMap(doc, lineCounter) };
}
