/**
 * What `tributary serve` last ran with, per listener (`<data_dir>/server/listeners.json`): how each
 * listener is secured. `tributary doctor` (check `server-tls`) reads it to flag plain HTTP and the
 * development certificate. Holds no secret: paths and flags only.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How a listener is secured. */
export type ListenerTlsMode = 'files' | 'dev_cert' | 'insecure_http';

/** One listener as it was started. */
export interface ListenerState {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: ListenerTlsMode;
  /** Absolute path of the certificate (modes `files`, `dev_cert`). */
  readonly cert_file?: string;
  readonly min_version: '1.2' | '1.3';
  readonly mtls: boolean;
  /** ISO-8601 UTC. */
  readonly started_at: string;
}

/** Path of the state file in `dataDir`. */
export function listenerStatePath(dataDir: string): string {
  return join(dataDir, 'server', 'listeners.json');
}

/** Writes the state file (0640). */
export async function writeListenerState(dataDir: string, listeners: readonly ListenerState[]): Promise<void> {
  await mkdir(join(dataDir, 'server'), { recursive: true, mode: 0o750 });
  await writeFile(listenerStatePath(dataDir), `${JSON.stringify({ listeners }, null, 2)}\n`, { mode: 0o640 });
}

/** Reads the state file; undefined when serve never ran here (or the file is unreadable JSON). */
export async function readListenerState(dataDir: string): Promise<readonly ListenerState[] | undefined> {
  const text = await readFile(listenerStatePath(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { listeners?: ListenerState[] };
    return Array.isArray(parsed.listeners) ? parsed.listeners : undefined;
  } catch {
    return undefined;
  }
}
