/**
 * IP reputation lists from files (local ones, or the cached copies of downloaded ones), in the
 * common formats: one IP or CIDR per line (`#` and `;` comments; FireHOL `.netset` files are this
 * format), or CSV with a header naming the address column (`ip`, `cidr`, `network` or `address`)
 * and optionally a `score` column (0–100). Loaded into an {@link IpPrefixTree}; a list file
 * replaced on disk is re-read (checked every `checkMs`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigInvalid } from '../../core/errors.js';
import { FileWatch } from '../../core/file-watch.js';
import { IpPrefixTree } from './ip-prefix-tree.js';

/** What a list entry carries. */
export interface ListEntry {
  readonly list: string;
  /** 0–100. */
  readonly score: number;
}

/** A parsed list and how many of its lines were usable. */
export interface ParsedReputationList {
  readonly tree: IpPrefixTree<ListEntry>;
  /** Lines (CSV: rows) that held an IP address or network. */
  readonly entries: number;
  /** Non-comment lines (CSV: rows) whose address is malformed; they are skipped. */
  readonly invalid: number;
}

/**
 * Parses list text (see the module doc); `defaultScore` applies to entries without a score. A
 * leading byte-order mark is ignored; malformed addresses are skipped and counted. Throws
 * `TRB_CONFIG_INVALID` naming `file` for a CSV score that is not a number from 0 to 100.
 */
export function readReputationList(text: string, name: string, defaultScore: number, file: string): ParsedReputationList {
  const tree = new IpPrefixTree<ListEntry>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let entries = 0;
  let invalid = 0;
  const add = (cidr: string, score: number): void => {
    if (tree.insert(cidr, { list: name, score })) entries++;
    else invalid++;
  };
  const first = lines.find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l)) ?? '';
  const csv = first.includes(',') && /(^|,)\s*"?(ip|cidr|network|address)"?\s*(,|$)/i.test(first);
  if (!csv) {
    for (const raw of lines) {
      const l = raw.replace(/[#;].*$/, '').trim();
      if (l !== '') add(l.split(/\s+/)[0] as string, defaultScore);
    }
    return { tree, entries, invalid };
  }
  const header = first.split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const ipCol = header.findIndex((h) => ['ip', 'cidr', 'network', 'address'].includes(h));
  const scoreCol = header.indexOf('score');
  let seenHeader = false;
  for (const raw of lines) {
    if (raw.trim() === '' || /^\s*[#;]/.test(raw)) continue;
    if (!seenHeader) { seenHeader = true; continue; }
    const cells = raw.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const score = scoreCol >= 0 ? Number(cells[scoreCol]) : defaultScore;
    if (scoreCol >= 0 && !(score >= 0 && score <= 100)) {
      throw ConfigInvalid({ file, path: 'score', reason: `score \`${cells[scoreCol] ?? ''}\` is not a number from 0 to 100` });
    }
    add(cells[ipCol] ?? '', Math.round(score));
  }
  return { tree, entries, invalid };
}

/** The tree of {@link readReputationList} (same contract). */
export function parseReputationList(text: string, name: string, defaultScore: number, file: string): IpPrefixTree<ListEntry> {
  return readReputationList(text, name, defaultScore, file).tree;
}

/** A reputation list file, re-read when replaced. */
export class ReputationList {
  readonly name: string;
  readonly #file: string;
  readonly #defaultScore: number;
  readonly #watch: FileWatch;
  #tree: IpPrefixTree<ListEntry>;

  /** Reads the file now; `TRB_CONFIG_INVALID` naming it when it cannot be read. */
  constructor(file: string, name: string, defaultScore: number, checkMs: number) {
    this.name = name;
    this.#file = resolve(file);
    this.#defaultScore = defaultScore;
    try {
      this.#watch = new FileWatch(this.#file, checkMs);
    } catch (err) {
      throw ConfigInvalid({ file: this.#file, path: '(file)', reason: `cannot read the reputation list: ${(err as Error).message}` }, err);
    }
    this.#tree = this.#load();
  }

  #load(): IpPrefixTree<ListEntry> {
    try {
      return parseReputationList(readFileSync(this.#file, 'utf8'), this.name, this.#defaultScore, this.#file);
    } catch (err) {
      if ((err as { code?: string }).code === 'TRB_CONFIG_INVALID') throw err;
      throw ConfigInvalid({ file: this.#file, path: '(file)', reason: `cannot read the reputation list: ${(err as Error).message}` }, err);
    }
  }

  /** Networks loaded. */
  get size(): number {
    return this.#tree.size;
  }

  /** Re-reads the file when it changed; a failed reload keeps the old list (retried at the next check). */
  maybeReload(now = Date.now()): boolean {
    if (!this.#watch.changed(now)) return false;
    try {
      this.#tree = this.#load();
      this.#watch.accept();
      return true;
    } catch {
      return false;
    }
  }

  /** The entry for `ip`, or undefined. */
  lookup(ip: string): ListEntry | undefined {
    return this.#tree.lookup(ip);
  }
}
