/**
 * The component registry: every source, stage and sink type, one line each. Adding a component is
 * adding its folder and one line here; nothing registers itself by import side effect.
 */
import type { ComponentRegistry } from '../config/registry-types.js';
import { filesSourceSpec } from '../sources/files/index.js';
import { stdinSourceSpec } from '../sources/stdin/index.js';
import { bronzeSourceSpec } from '../sources/bronze/index.js';
import { lakeSinkSpec } from '../sinks/lake/index.js';
import { duckdbSinkSpec } from '../sinks/duckdb/index.js';
import { memorySinkSpec } from '../sinks/memory/index.js';
import { postgresSinkSpec } from '../sinks/postgres/index.js';
import { stageSpecs } from './stage-registry.js';

/** The built-in components. */
export const registry: ComponentRegistry = Object.freeze({
  sources: Object.freeze([filesSourceSpec, stdinSourceSpec, bronzeSourceSpec]),
  stages: stageSpecs,
  sinks: Object.freeze([lakeSinkSpec, duckdbSinkSpec, memorySinkSpec, postgresSinkSpec]),
});
