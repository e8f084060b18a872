/** The `files` source spec: plain and gzip files by glob, resumable, with watch mode and rotation. */
import type { SourceContext, SourceSpec } from '../../core/component.js';
import { FilesConfig } from './config.js';
import { FilesSource } from './files-source.js';

/**
 * Spec of the `files` source. `create` validates the patterns (`TRB_CONFIG_PATH_TRAVERSAL`) and does
 * no I/O; files are discovered, and refused when outside the roots, when `chunks()` starts.
 */
export const filesSourceSpec: SourceSpec<FilesConfig> = Object.freeze({
  kind: 'source',
  type: 'files',
  description: 'Reads plain and gzip files matched by globs; resumes by content fingerprint and follows appends and rotations in watch mode.',
  config: FilesConfig,
  create: async (id: string, config: FilesConfig, ctx: SourceContext) => new FilesSource(id, config, ctx),
});

export { FilesConfig } from './config.js';
export { FilesSource } from './files-source.js';
