/** What `tributary doctor` reports. */

/** Severity of a finding, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** One of {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/** One weakness found in a deployment. */
export interface Finding {
  /** Id of the check that found it, e.g. `plaintext-secret`. */
  readonly check: string;
  readonly severity: Severity;
  /** What is wrong (one line). */
  readonly what: string;
  /** Why it matters. */
  readonly why: string;
  /** How to fix it (a command where there is one). */
  readonly fix: string;
  /** Where: a file (with line), a path, a vault entry. */
  readonly where?: string;
}

/** Result of one check. */
export interface CheckResult {
  readonly check: string;
  /** `ok`: nothing found; `findings`: see findings; `skipped`: not applicable here (reason says why). */
  readonly status: 'ok' | 'findings' | 'skipped';
  readonly findings: readonly Finding[];
  readonly reason?: string;
  /** Facts shown with the result that are not findings. */
  readonly notes?: readonly string[];
}
