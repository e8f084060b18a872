/**
 * Bronze retention: manifest rows ingested before the cutoff are removed, then the objects no
 * manifest row references any more are deleted. Objects are content-addressed and may be shared
 * (the same bytes read again, or by another pipeline of the data directory), so an object goes only
 * with its last reference. Only committed objects are ever considered: the manifest lists nothing
 * else, and objects a running commit staged are never in it.
 *
 * Crash safety: the keys to delete are written to an intent file before the manifest rows go, and
 * the file is removed after the objects are. A crash in between leaves objects that nothing
 * references; {@link finishBronzeExpiry} (run first by every `lifecycle run`) deletes them. The
 * manifest never references a deleted object. Failpoint `lifecycle.bronze.after_manifest`.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { failpoint } from '../../core/failpoint.js';
import type { BronzeManifestEntry, ControlStore } from '../../seams/control-store/control-store.js';
import type { ObjectStore } from '../../seams/object-store/object-store.js';
import { messageOf } from '../../sinks/_shared/duckdb-values.js';
import { writeJsonAtomic } from '../../sinks/_shared/durable-fs.js';
import { LifecycleBronzeFailed } from './errors.js';

/** What bronze retention would remove. */
export interface BronzePlan {
  /** Manifest rows of the pipeline ingested before the cutoff. */
  readonly expired: readonly BronzeManifestEntry[];
  /** Objects referenced only by expired rows, with their stored size (0 when already gone). */
  readonly objects: readonly { readonly key: string; readonly bytes: number }[];
  /** Objects of expired rows kept because another row still references them. */
  readonly shared: number;
}

/** The intent file of `pipeline` under the data directory. */
export const bronzeIntentFile = (dataDir: string, pipeline: string): string => join(dataDir, 'lifecycle', `${pipeline}.bronze-pending.json`);

/** Finds the expired rows of `pipeline` (ingested strictly before `cutoff`, ISO UTC) and the objects that would go with them. Changes nothing. */
export async function planBronzeExpiry(control: ControlStore, store: ObjectStore, pipeline: string, cutoff: string): Promise<BronzePlan> {
  const all = await control.listBronze();
  const cut = Date.parse(cutoff);
  const isExpired = (e: BronzeManifestEntry): boolean => e.pipeline === pipeline && Date.parse(e.ingestedAt) < cut;
  const expired = all.filter(isExpired);
  const kept = new Set(all.filter((e) => !isExpired(e)).map((e) => e.objectKey));
  const candidates = [...new Set(expired.map((e) => e.objectKey))].sort();
  const objects: { key: string; bytes: number }[] = [];
  for (const key of candidates) if (!kept.has(key)) objects.push({ key, bytes: (await store.head(key))?.size ?? 0 });
  return { expired, objects, shared: candidates.length - objects.length };
}

/**
 * Applies `plan`: intent file, manifest rows removed in one transaction, objects deleted, intent
 * file removed. Throws the store's errors for the manifest (nothing changed), and
 * `TRB_LIFECYCLE_BRONZE_FAILED` when an object cannot be deleted (the next run finishes it).
 */
export async function expireBronze(control: ControlStore, store: ObjectStore, pipeline: string, plan: BronzePlan, intentFile: string): Promise<void> {
  if (plan.expired.length === 0) return;
  await writeJsonAtomic(intentFile, { pipeline, keys: plan.objects.map((o) => o.key) });
  await control.deleteBronze(pipeline, plan.expired);
  failpoint('lifecycle.bronze.after_manifest');
  await deleteObjects(store, plan.objects.map((o) => o.key));
  await rm(intentFile, { force: true });
}

/**
 * Finishes an interrupted {@link expireBronze}: deletes the intent file's objects that no manifest
 * row references (any more), then the intent file. Returns the number of objects deleted.
 */
export async function finishBronzeExpiry(control: ControlStore, store: ObjectStore, intentFile: string): Promise<number> {
  if (!existsSync(intentFile)) return 0;
  const { keys } = JSON.parse(await readFile(intentFile, 'utf8')) as { keys: string[] };
  const referenced = new Set((await control.listBronze()).map((e) => e.objectKey));
  const orphans = keys.filter((k) => !referenced.has(k));
  await deleteObjects(store, orphans);
  await rm(intentFile, { force: true });
  return orphans.length;
}

async function deleteObjects(store: ObjectStore, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    try { await store.delete(key); } catch (err) { throw LifecycleBronzeFailed({ key, reason: messageOf(err) }, err); }
  }
}
