/**
 * The `threat` stage's main-thread preparation (`StageSpec.prepare`): every `url` reputation list
 * is downloaded, or its fresh cached copy reused, as `<dataDir>/threat/<stageId>/<name>.list`, and
 * handed to the workers as a plain `file` list, so URLs, headers and secrets never reach a worker
 * thread. In watch mode each list is then refreshed on its own schedule until the run ends.
 */
import { join } from 'node:path';
import type { StagePreparation, StagePrepareContext } from '../../core/component.js';
import { ThreatConfig } from './config.js';
import { ListCache } from './list-cache.js';
import { UrlListRefresher, type UrlListConfig } from './url-list-refresher.js';

const isUrlList = (l: ThreatConfig['reputation_lists'][number]): l is UrlListConfig => l.url !== undefined;

/**
 * Prepares one `threat` stage: `raw` is its validated config (secrets resolved). Resolves once
 * every `url` list has a usable copy (see {@link UrlListRefresher.ensure}); rejects with
 * `TRB_CONNECT_LIST_DOWNLOAD_FAILED` or `TRB_SOURCE_LIST_DOWNLOAD_REFUSED` for a list that has none,
 * after stopping the others. The returned config lists every list as `{ name, file, score }`.
 */
export async function prepareThreatStage(raw: Readonly<Record<string, unknown>>, ctx: StagePrepareContext): Promise<StagePreparation> {
  const config = ThreatConfig.parse(raw);
  const dir = join(ctx.dataDir, 'threat', ctx.stageId);
  const refreshers = new Map<string, UrlListRefresher>();
  for (const list of config.reputation_lists.filter(isUrlList)) {
    refreshers.set(list.name, new UrlListRefresher({ stage: ctx.stageId, list, cache: new ListCache(dir, list.name), log: ctx.log, signal: ctx.signal }));
  }
  const closeAll = async (): Promise<void> => { await Promise.allSettled([...refreshers.values()].map((r) => r.close())); };
  if (refreshers.size === 0) return { config: raw, close: closeAll };

  const ready = await Promise.allSettled([...refreshers.values()].map((r) => r.ensure()));
  const failure = ready.find((x) => x.status === 'rejected');
  if (failure) {
    await closeAll();
    throw failure.reason;
  }
  if (ctx.watch) for (const r of refreshers.values()) r.start();
  const lists = config.reputation_lists.map((l) => ({ name: l.name, file: refreshers.get(l.name)?.file ?? l.file, score: l.score }));
  return { config: { ...raw, reputation_lists: lists }, close: closeAll };
}
