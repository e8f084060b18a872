/**
 * Kysely table types of the control-store database, shared by both adapters. Column values are
 * typed as written (JSON text, ISO strings, numbers); what the drivers return differs per adapter
 * (jsonb objects, Date, int8 strings) and is decoded by `row-decoder.ts`.
 */

/** `runs`: one row per pipeline run. */
export interface RunsTable {
  id: string;
  pipeline: string;
  config_hash: string;
  trigger: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  /** JSON text. */
  counts: string | null;
  error_code: string | null;
  error_message: string | null;
}

/** `checkpoints`: primary key (pipeline, source, key). */
export interface CheckpointsTable {
  pipeline: string;
  source: string;
  key: string;
  /** JSON text of an object. */
  value: string;
  run_id: string;
  commit_id: string;
  updated_at: string;
}

/** `commits`: one row per applied commit; commit_id is the primary key (idempotency). */
export interface CommitsTable {
  commit_id: string;
  pipeline: string;
  run_id: string;
  committed_at: string;
  checkpoint_count: number;
  bronze_count: number;
  file_count: number;
}

/** `bronze_objects`: primary key (sha256, stream, from_offset). */
export interface BronzeObjectsTable {
  sha256: string;
  stream: string;
  from_offset: number;
  to_offset: number;
  object_key: string;
  size: number;
  source: string;
  uri: string;
  first_line: number;
  line_count: number;
  ingested_at: string;
  encoding: string;
  pipeline: string;
  commit_id: string;
  /** `none` or `age` (migration 0003; default `none`). */
  encryption: string;
  /** Vault data key name when `encryption` is `age`, else null. */
  key_name: string | null;
  /** Vault data key version when `encryption` is `age`, else null. */
  key_version: number | null;
}

/** `lake_files`: primary key path. */
export interface LakeFilesTable {
  path: string;
  sink: string;
  dataset: string;
  rows: number;
  bytes: number;
  partition: string | null;
  sha256: string | null;
  pipeline: string;
  commit_id: string;
  committed_at: string;
}

/** `vault_entries`: primary key (name, version). */
export interface VaultEntriesTable {
  name: string;
  version: number;
  kind: string;
  ciphertext: string;
  wrapped_key: string;
  master_key_id: string;
  created_at: string;
  created_by: string;
  rotate_after_days: number | null;
  /** JSON text of an object, or null. */
  meta: string | null;
}

/** `audit_log`: primary key seq. */
export interface AuditLogTable {
  seq: number;
  ts: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  request_id: string;
  /** JSON text, or null. */
  details: string | null;
  prev_hash: string;
  hash: string;
  mac: string;
  key_version: number;
}

/** `audit_anchors`: primary key seq (the chain head the anchor covers). */
export interface AuditAnchorsTable {
  seq: number;
  head_hash: string;
  entry_count: number;
  ts: string;
  mac: string;
  key_version: number;
}

/** `stage_state`: primary key (pipeline, stage, key); keyed stages' state as JSON text. */
export interface StageStateTable {
  pipeline: string;
  stage: string;
  key: string;
  value: string;
  commit_id: string;
  updated_at: string;
}

/** `api_keys`: primary key id (the key's public prefix). */
export interface ApiKeysTable {
  id: string;
  name: string;
  role: string;
  /** JSON text of a string array. */
  scopes: string;
  hash: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  replaced_by: string | null;
  last_used_at: string | null;
}

/** `wire_users`: primary key name; SCRAM-SHA-256 verifiers (base64). */
export interface WireUsersTable {
  name: string;
  role: string;
  salt: string;
  iterations: number;
  stored_key: string;
  server_key: string;
  created_at: string;
  created_by: string;
  updated_at: string;
}

/** The whole control database as Kysely sees it. */
export interface ControlDb {
  api_keys: ApiKeysTable;
  wire_users: WireUsersTable;
  stage_state: StageStateTable;
  vault_entries: VaultEntriesTable;
  audit_log: AuditLogTable;
  audit_anchors: AuditAnchorsTable;
  runs: RunsTable;
  checkpoints: CheckpointsTable;
  commits: CommitsTable;
  bronze_objects: BronzeObjectsTable;
  lake_files: LakeFilesTable;
}
