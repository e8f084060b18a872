/** The contract of one doctor check and the context every check gets. */
import type { ControlStore } from '../../seams/control-store/control-store.js';
import type { Vault } from '../vault/vault.js';
import type { Finding } from './finding.js';

/** What a check may look at. Checks only read; they never change the deployment. */
export interface DoctorContext {
  /** Absolute data directory of the deployment. */
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Pipeline files to scan (absolute paths). */
  readonly pipelineFiles: readonly string[];
  readonly control: ControlStore;
  readonly vault: Vault;
  /** Current time (injectable for tests). */
  readonly now: Date;
}

/** One check. `run` returns its findings, or `{ skipped: reason }` when it does not apply. */
export interface DoctorCheck {
  /** Stable id, kebab-case. */
  readonly id: string;
  /** What it looks for (shown by `doctor --list`). */
  readonly description: string;
  run(ctx: DoctorContext): Promise<readonly Finding[] | { readonly skipped: string }>;
  /** Facts worth showing that are not findings (they do not fail the doctor), e.g. a mitigated gap. */
  notes?(ctx: DoctorContext): Promise<readonly string[]>;
}
