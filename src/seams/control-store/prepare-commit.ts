/**
 * Turns a {@link CommitRecord} into table rows, checking every value first so a commit that cannot
 * be stored fails with `TRB_STORE_VALUE_INVALID` before any statement runs. Range invariants
 * (non-negative sizes and counts, `toOffset >= fromOffset`) are left to the tables' CHECK
 * constraints, which guard every writer of the database and roll the whole commit back.
 */
import { StoreValueInvalid } from '../store-errors.js';
import type { BronzeObjectsTable, CheckpointsTable, CommitsTable, LakeFilesTable, StageStateTable } from './control-db.js';
import type { CommitRecord } from './control-store.js';
import { checkInteger, checkText, toIsoTimestamp, toJsonObjectText, toJsonText } from './store-values.js';

/** Rows of one commit, deduplicated the way the tables key them. */
export interface CommitRows {
  readonly commit: CommitsTable;
  readonly checkpoints: readonly CheckpointsTable[];
  readonly bronze: readonly BronzeObjectsTable[];
  readonly files: readonly LakeFilesTable[];
  /** Stage state upserts (last entry per key wins) ... */
  readonly state: readonly StageStateTable[];
  /** ... and deletions, as (stage, key). */
  readonly stateDeletes: readonly { readonly stage: string; readonly key: string }[];
}

const WHAT = 'a commit';

function optText(v: string | null, path: string): string | null {
  if (v === null) return null;
  return checkText(v, WHAT, path);
}

/**
 * Validates and encodes `c` (`now` = ISO commit time). A repeated checkpoint `(source, key)` or lake
 * `path` keeps the last entry; a repeated bronze `(sha256, stream, fromOffset)` keeps the first.
 */
export function prepareCommit(c: CommitRecord, now: string): CommitRows {
  const pipeline = checkText(c.pipeline, WHAT, 'pipeline');
  const run_id = checkText(c.runId, WHAT, 'runId');
  const commit_id = checkText(c.commitId, WHAT, 'commitId');

  const checkpoints = new Map<string, CheckpointsTable>();
  c.checkpoints.forEach((e, i) => {
    const p = `checkpoints[${i}]`;
    const source = checkText(e.source, WHAT, `${p}.source`);
    const key = checkText(e.key, WHAT, `${p}.key`);
    const value = toJsonObjectText(e.value, WHAT, `${p}.value`);
    checkpoints.set(`${source}\0${key}`, { pipeline, source, key, value, run_id, commit_id, updated_at: now });
  });

  const bronze = new Map<string, BronzeObjectsTable>();
  c.bronze.forEach((e, i) => {
    const p = `bronze[${i}]`;
    if (e.encoding !== 'identity' && e.encoding !== 'gzip') {
      throw StoreValueInvalid({ what: WHAT, path: `${p}.encoding`, reason: "must be 'identity' or 'gzip'" });
    }
    const enc = e.encryption;
    if (enc !== undefined && (enc.scheme !== 'age' || !Number.isInteger(enc.keyVersion) || enc.keyVersion < 1)) {
      throw StoreValueInvalid({ what: WHAT, path: `${p}.encryption`, reason: "must be { scheme: 'age', keyName, keyVersion >= 1 } or absent" });
    }
    const row: BronzeObjectsTable = {
      sha256: checkText(e.sha256, WHAT, `${p}.sha256`), stream: checkText(e.stream, WHAT, `${p}.stream`),
      from_offset: checkInteger(e.fromOffset, WHAT, `${p}.fromOffset`), to_offset: checkInteger(e.toOffset, WHAT, `${p}.toOffset`),
      object_key: checkText(e.objectKey, WHAT, `${p}.objectKey`), size: checkInteger(e.size, WHAT, `${p}.size`),
      source: checkText(e.source, WHAT, `${p}.source`), uri: checkText(e.uri, WHAT, `${p}.uri`),
      first_line: checkInteger(e.firstLine, WHAT, `${p}.firstLine`), line_count: checkInteger(e.lineCount, WHAT, `${p}.lineCount`),
      ingested_at: toIsoTimestamp(e.ingestedAt, WHAT, `${p}.ingestedAt`), encoding: e.encoding, pipeline, commit_id,
      encryption: enc ? 'age' : 'none', key_name: enc ? checkText(enc.keyName, WHAT, `${p}.encryption.keyName`) : null,
      key_version: enc ? enc.keyVersion : null,
    };
    const id = `${row.sha256}\0${row.stream}\0${row.from_offset}`;
    if (!bronze.has(id)) bronze.set(id, row);
  });

  const files = new Map<string, LakeFilesTable>();
  c.files.forEach((e, i) => {
    const p = `files[${i}]`;
    const path = checkText(e.path, WHAT, `${p}.path`);
    files.set(path, {
      path, sink: checkText(e.sink, WHAT, `${p}.sink`), dataset: checkText(e.dataset, WHAT, `${p}.dataset`),
      rows: checkInteger(e.rows, WHAT, `${p}.rows`), bytes: checkInteger(e.bytes, WHAT, `${p}.bytes`),
      partition: optText(e.partition, `${p}.partition`), sha256: optText(e.sha256, `${p}.sha256`),
      pipeline, commit_id, committed_at: now,
    });
  });

  const state = new Map<string, { stage: string; key: string; value: string | null }>();
  (c.state ?? []).forEach((e, i) => {
    const p = `state[${i}]`;
    const stage = checkText(e.stage, WHAT, `${p}.stage`);
    const key = checkText(e.key, WHAT, `${p}.key`);
    state.set(`${stage}\0${key}`, { stage, key, value: e.value === null || e.value === undefined ? null : toJsonText(e.value, WHAT, `${p}.value`) });
  });
  const upserts: StageStateTable[] = [];
  const deletes: { stage: string; key: string }[] = [];
  for (const e of state.values()) {
    if (e.value === null) deletes.push({ stage: e.stage, key: e.key });
    else upserts.push({ pipeline, stage: e.stage, key: e.key, value: e.value, commit_id, updated_at: now });
  }

  return {
    state: upserts,
    stateDeletes: deletes,
    commit: {
      commit_id, pipeline, run_id, committed_at: now,
      checkpoint_count: checkpoints.size, bronze_count: bronze.size, file_count: files.size,
    },
    checkpoints: [...checkpoints.values()],
    bronze: [...bronze.values()],
    files: [...files.values()],
  };
}
