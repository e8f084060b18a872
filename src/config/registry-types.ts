/**
 * The shape of the component registry that configuration code validates against. The real
 * registry lives in `engine/registry.ts`; config functions take it as an argument so tests can pass
 * small fake specs.
 */
import type { SinkSpec, SourceSpec, StageSpec } from '../core/component.js';

/** Every registered component type, by kind, in documentation order. Types are unique per kind. */
export interface ComponentRegistry {
  readonly sources: readonly SourceSpec<any>[];
  readonly stages: readonly StageSpec<any>[];
  readonly sinks: readonly SinkSpec<any>[];
}

/** The three pipeline sections that list components. */
export type ComponentSection = 'sources' | 'stages' | 'sinks';

/** Every component section, in pipeline order. */
export const COMPONENT_SECTIONS: readonly ComponentSection[] = Object.freeze(['sources', 'stages', 'sinks']);

/** Singular kind name of a section (`sources` → `source`), as used in messages. */
export function kindOf(section: ComponentSection): 'source' | 'stage' | 'sink' {
  return section === 'sources' ? 'source' : section === 'stages' ? 'stage' : 'sink';
}
