/** Errors raised by the engine itself (components define their own beside their code). */
import { defineError } from '../core/errors.js';

/** A sink reported rows it could not store; the commit is aborted and nothing of it is checkpointed. */
export const SinkRowsFailed = defineError<{ sink: string; commit: string; failed: number; reason: string }>(
  'TRB_SINK_ROWS_FAILED',
  'Sink `{sink}` could not store {failed} row(s) of commit {commit} (first: {reason}); the commit was aborted and will be retried from its checkpoint',
  { family: 'sink' });

/** Another process is running the same pipeline on the same data directory. */
export const PipelineBusy = defineError<{ pipeline: string; pid: number; lock: string }>(
  'TRB_PIPELINE_BUSY',
  'Pipeline `{pipeline}` is already running (pid {pid}) on this data directory; wait for it or stop it (lock: {lock})',
  { family: 'request', status: 409 });
