/** Maps config paths back to positions in the YAML text, for messages that name a line. */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A 1-based line and column in the pipeline file. */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
  /** False when `path` does not exist and the position is that of its nearest existing parent. */
  readonly exact: boolean;
}

/** Resolves config paths to positions in one parsed YAML document. */
export interface YamlSourceMap {
  /** Position of `path`: the key of a mapping entry, the start of a sequence item, else the nearest parent. */
  locate(path: readonly PropertyKey[]): SourcePosition;
}

/** Builds a source map for `doc`, whose text was parsed with `lineCounter`. */
export function createYamlSourceMap(doc: Document, lineCounter: LineCounter): YamlSourceMap {
  const pos = (offset: number | undefined, exact: boolean): SourcePosition => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, col: p.col, exact };
  };
  return {
    locate(path) {
      let node: unknown = doc.contents;
      let at: number | undefined = (doc.contents as Node | null)?.range?.[0] ?? 0;
      for (const seg of path) {
        if (isAlias(node)) node = node.resolve(doc);
        if (isMap(node)) {
          const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
          if (!pair) return pos(at, false);
          at = (pair.key as Node | null)?.range?.[0] ?? at;
          node = pair.value;
        } else if (isSeq(node) && typeof seg === 'number') {
          const item = node.items[seg] as Node | undefined;
          if (item === undefined || item === null) return pos(at, false);
          at = item.range?.[0] ?? at;
          node = item;
        } else {
          return pos(at, false);
        }
      }
      return pos(at, true);
    },
  };
}
