/**
 * Turns the `files` source's patterns into regular files it may read: globbing, the `..` refusal,
 * and the roots check on each file's real path (symlinks resolved).
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, posix, resolve, sep } from 'node:path';
import fg from 'fast-glob';
import type { FilesConfig } from './config.js';
import { PathRefused, PathTraversal } from './errors.js';

/** Absolute patterns and roots of one source, computed once at create time. */
export interface FilePlan {
  readonly source: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Allowed directories, absolute (symlinks resolved at each discovery). */
  readonly roots: readonly string[];
}

/** A regular file a discovery found, allowed by the roots. */
export interface FoundFile {
  /** Path as matched by the pattern (shown to users as the record's `uri`). */
  readonly path: string;
  /** Real path (symlinks resolved); the file is opened through it. */
  readonly real: string;
  /** `dev:ino` identity of the file on disk. */
  readonly key: string;
  readonly size: number;
  readonly mtimeMs: number;
}

const hasDotDot = (pattern: string): boolean => pattern.split(/[\\/]+/).includes('..');

/** The literal (glob-free) directory a pattern starts from, absolute. */
export function globBase(pattern: string, baseDir: string): string {
  const segs = pattern.split('/');
  const fixed: string[] = [];
  for (const s of segs) {
    if (s !== '' && fg.isDynamicPattern(s)) break;
    fixed.push(s);
  }
  const literal = fixed.length === segs.length ? dirname(pattern) : fixed.length === 0 ? '.' : fixed.join('/') || '/';
  return resolve(baseDir, literal);
}

/**
 * Validates and resolves the patterns of `config`. Throws `TRB_CONFIG_PATH_TRAVERSAL` for an
 * `include` pattern with a `..` segment.
 */
export function planFiles(source: string, config: FilesConfig, baseDir: string): FilePlan {
  for (const pattern of config.include) if (hasDotDot(pattern)) throw PathTraversal({ source, pattern });
  const base = fg.escapePath(resolve(baseDir));
  const absolute = (p: string): string => (isAbsolute(p) ? p : posix.join(base, p));
  return Object.freeze({
    source,
    include: Object.freeze(config.include.map(absolute)),
    exclude: Object.freeze(config.exclude.map(absolute)),
    roots: Object.freeze((config.roots ?? config.include.map((p) => globBase(p, baseDir))).map((r) => resolve(baseDir, r))),
  });
}

async function realRoots(roots: readonly string[]): Promise<string[]> {
  return Promise.all(roots.map((r) => realpath(r).catch(() => r)));
}

const within = (file: string, root: string): boolean =>
  file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);

const isVanished = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * Globs the plan's patterns and returns the regular files found, oldest mtime first (ties by path),
 * one entry per file on disk. Files that vanish meanwhile and non-regular entries (directories,
 * sockets, fifos) are skipped. Throws `TRB_SOURCE_PATH_REFUSED` when a file's real path is outside
 * every root, before anything is read.
 */
export async function discoverFiles(plan: FilePlan): Promise<FoundFile[]> {
  const paths = await fg([...plan.include], {
    absolute: true, onlyFiles: true, unique: true, followSymbolicLinks: true, ignore: [...plan.exclude],
  });
  const roots = await realRoots(plan.roots);
  const found = new Map<string, FoundFile>();
  for (const path of paths.sort()) {
    let real: string;
    try {
      real = await realpath(path);
    } catch (err) {
      if (isVanished(err)) continue;
      throw err;
    }
    if (!roots.some((r) => within(real, r))) {
      throw PathRefused({ source: plan.source, file: path, target: real, roots });
    }
    const st = await stat(real).catch((err: unknown) => { if (isVanished(err)) return null; throw err; });
    if (st === null || !st.isFile()) continue;
    const key = `${st.dev}:${st.ino}`;
    if (!found.has(key)) found.set(key, { path, real, key, size: st.size, mtimeMs: st.mtimeMs });
  }
  return [...found.values()].sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
