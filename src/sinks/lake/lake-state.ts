/**
 * The lake's watermark file: for each stream, the offset just past the last byte committed to the
 * lake (rows below it are skipped when re-delivered), plus what the last commit changed so that
 * `reconcileLake` can roll it back when its files never reached the engine's manifest.
 */
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../_shared/durable-fs.js';

/** Persistent lake state (JSON, `version` 1). */
export interface LakeState {
  readonly version: 1;
  /** Stream → next offset (exclusive end of what is committed). */
  readonly watermarks: Readonly<Record<string, number>>;
  /** The last commit: its files (relative to the lake root) and the watermarks before it. */
  readonly last: {
    readonly commitId: string;
    readonly files: readonly string[];
    readonly previous: Readonly<Record<string, number>>;
  } | null;
}

/** An empty state. */
export const EMPTY_LAKE_STATE: LakeState = Object.freeze({ version: 1, watermarks: Object.freeze({}), last: null });

/** Reads the state file; a missing file is the empty state. Throws on unreadable or malformed JSON. */
export async function readLakeState(file: string): Promise<LakeState> {
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_LAKE_STATE;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<LakeState>;
  if (parsed.version !== 1 || typeof parsed.watermarks !== 'object' || parsed.watermarks === null) {
    throw new Error(`unrecognised lake state file ${file}`);
  }
  return { version: 1, watermarks: parsed.watermarks, last: parsed.last ?? null };
}

/** Writes the state file atomically and durably. */
export async function writeLakeState(file: string, state: LakeState): Promise<void> {
  await writeJsonAtomic(file, state);
}
