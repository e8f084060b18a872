/**
 * The pipeline file schema, built from the component registry. It is the only declaration of the
 * pipeline format: validation, defaults, JSON Schema and the reference docs all derive from it.
 */
import { GoldSection, type GoldConfig } from '../../models/config.js';
import { z } from 'zod';
import type { ComponentRegistry, ComponentSection } from '../registry-types.js';
import { COMPONENT_SECTIONS } from '../registry-types.js';
import { componentSectionSchema, NAME_PATTERN } from './component-entry.js';
import { RetentionSection, type RetentionConfig } from '../../ops/lifecycle/retention-config.js';

/** `quality:` — the run's data quality gate. */
export const QualitySection = z.strictObject({
  max_invalid_ratio: z.number().min(0).max(1).default(0.05).meta({
    description: 'Fail the run when quarantined lines / read lines exceeds this ratio (0..1).', examples: [0.01],
  }),
  min_lines: z.number().int().min(0).default(0).meta({
    description: 'The gate only applies once at least this many lines were read in the run.', examples: [1000],
  }),
}).meta({ description: 'Data quality gate applied at the end of every run.' });

/** `engine.bronze:` — how raw input is archived at rest. */
export const BronzeSection = z.strictObject({
  encryption: z.enum(['auto', 'age', 'none']).default('auto').meta({
    description: 'Encryption at rest of the bronze archive. `age`: every object is age-encrypted to the vault key `key` (the run fails without a vault); '
      + '`auto` (default): `age` whenever the run has a vault, plaintext with a logged warning only when it has no key service at all (a sealed vault fails the run, it never downgrades); '
      + '`none`: raw input is archived unencrypted (explicit opt-out; the manifest records `encryption: none` per object).',
    examples: ['auto', 'age', 'none'],
  }),
  key: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a vault key name: letters, digits, `_`, `.` or `-`' }).default('bronze').meta({
    description: 'Vault data key (kind `age`) bronze objects are encrypted to; created on first use. Every version stays able to decrypt what it encrypted.',
    examples: ['bronze'],
  }),
}).meta({ description: 'Bronze archive settings.' });

/** `engine.quarantine:` — how rejected records' raw lines are stored. */
export const QuarantineSection = z.strictObject({
  raw: z.enum(['auto', 'encrypt', 'keep']).default('auto').meta({
    description: 'The raw line kept with each rejected record. `auto`: `encrypt` when the pipeline has a `privacy` stage (its quarantine must not keep what silver does not), else `keep`. '
      + '`encrypt`: an AES-256-GCM field token (vault `field` key `key`), readable with the audited `tributary decrypt --dataset quarantine --field raw`; the reason text is redacted too (addresses, e-mails, tokens, cards, phone numbers). `keep`: as read.',
    examples: ['auto', 'encrypt', 'keep'],
  }),
  key: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a vault key name: letters, digits, `_`, `.` or `-`' }).default('field').meta({
    description: 'Vault data key (kind `field`) quarantined raw lines are encrypted with; created on first use.',
  }),
}).meta({ description: 'Quarantine settings.' });

/** `engine:` — parallelism, batching and commit cadence. */
export const EngineSection = z.strictObject({
  workers: z.union([z.literal('auto'), z.number().int().min(1).max(64)], { error: 'must be `auto` or an integer from 1 to 64' })
    .default('auto')
    .meta({ description: 'Worker threads for parse/validate/encode: `auto` (one per CPU core minus one, left to the sinks; at least 1, at most 8) or an integer 1..64.', examples: ['auto', 4] }),
  commit_lines: z.number().int().min(1).default(100_000)
    .meta({ description: 'Lines per commit (bronze, sinks and checkpoints are committed together); bounds memory and the work a crash repeats. Worker batches are the sources\' chunks (`chunk_bytes`).' }),
  commit_interval_ms: z.number().int().min(1).default(500)
    .meta({ description: 'In watch mode, commit at least this often (milliseconds) when data arrived.' }),
  max_inflight_batches: z.number().int().min(1).max(1024).default(4)
    .meta({ description: 'Bound on queued batches per worker (backpressure).' }),
  bronze: BronzeSection.prefault({}),
  quarantine: QuarantineSection.prefault({}),
}).meta({ description: 'Execution tuning; the defaults suit most pipelines.' });

/** A validated component entry: `id` (defaulted for stages), `type` and the type's options. */
export type ComponentConfig = { readonly id: string; readonly type: string } & Readonly<Record<string, unknown>>;
/** Validated `quality:` section (defaults applied). */
export type QualityConfig = Readonly<z.output<typeof QualitySection>>;
/** Validated `engine:` section (defaults applied). */
export type EngineConfig = Readonly<z.output<typeof EngineSection>>;

/** A validated pipeline: every default applied, every stage has an id. Deep-frozen when loaded. */
export interface PipelineConfig {
  readonly name: string;
  readonly description?: string;
  /** As written (relative to the pipeline file); `LoadedPipeline.dataDir` is the resolved path. */
  readonly data_dir?: string;
  readonly sources: readonly ComponentConfig[];
  readonly stages: readonly ComponentConfig[];
  readonly sinks: readonly ComponentConfig[];
  readonly quality: QualityConfig;
  readonly engine: EngineConfig;
  readonly gold?: GoldConfig | undefined;
  /** Data lifecycle per layer (`tributary lifecycle run`). */
  readonly retention: RetentionConfig;
}

/** `params.trb` of the zod issue raised for a duplicate component id. */
export const DUPLICATE_ID_ISSUE = 'duplicate_id';

const cache = new WeakMap<ComponentRegistry, z.ZodType<PipelineConfig>>();

/**
 * The zod schema of a pipeline file for `registry`: a strict top-level object whose component
 * entries are checked against their type's config schema, with unique ids across all sections.
 * Parsing yields a {@link PipelineConfig}. Cached per
 * registry object. Throws TRB_INTERNAL_INVARIANT for a broken registry (duplicate types, a config
 * declaring `id`/`type`).
 */
export function buildPipelineSchema(registry: ComponentRegistry): z.ZodType<PipelineConfig> {
  const hit = cache.get(registry);
  if (hit) return hit;
  const section = (s: ComponentSection, description: string) =>
    z.array(componentSectionSchema(s, registry[s])).meta({ description });
  const schema = z.strictObject({
    name: z.string().regex(NAME_PATTERN, { error: 'must be lowercase letters, digits, `_` or `-`' }).max(64)
      .meta({ description: 'Pipeline name: lowercase letters, digits, `_` or `-`.', examples: ['web-logs'] }),
    description: z.string().optional().meta({ description: 'Free text shown in listings and the catalog.' }),
    data_dir: z.string().min(1).optional().meta({
      description: 'Where checkpoints, bronze files and local sinks live, relative to the pipeline file. '
        + 'Default `.tributary` beside the pipeline file; the TRIBUTARY_DATA_DIR environment variable overrides it.',
      examples: ['./.tributary'],
    }),
    sources: section('sources', 'Where data comes from: one or more sources, each `{ id, type, ...options }`.')
      .min(1, { error: 'needs at least one source' }),
    stages: section('stages', 'Processing steps applied in order, each `{ id?, type, ...options }` (id defaults to the type).')
      .default([]),
    sinks: section('sinks', 'Where data goes: one or more sinks, each `{ id, type, ...options }`.')
      .min(1, { error: 'needs at least one sink' }),
    quality: QualitySection.prefault({}),
    engine: EngineSection.prefault({}),
    gold: GoldSection.optional().meta({ description: 'Gold layer (optional): SQL models built in the DuckDB warehouse after each run; see docs/guide/gold.md.' }),
    retention: RetentionSection.prefault({}),
  }).superRefine((cfg, ctx) => {
    if ((cfg as unknown) === null || typeof cfg !== 'object' || Array.isArray(cfg)) return;
    const owner = new Map<string, string>();
    for (const s of COMPONENT_SECTIONS) {
      const list: unknown = cfg[s];
      if (!Array.isArray(list)) continue;
      list.forEach((entry: unknown, i) => {
        if (entry === null || typeof entry !== 'object') return;
        const { id, type } = entry as { id?: unknown; type?: unknown };
        const effective = typeof id === 'string' ? id : s === 'stages' && typeof type === 'string' ? type : undefined;
        if (effective === undefined) return;
        const where = `${s}[${i}]`;
        const prev = owner.get(effective);
        if (prev === undefined) { owner.set(effective, where); return; }
        ctx.addIssue({
          code: 'custom', path: typeof id === 'string' ? [s, i, 'id'] : [s, i], params: { trb: DUPLICATE_ID_ISSUE },
          message: typeof id === 'string'
            ? `duplicate id \`${effective}\` (already used by \`${prev}\`); ids must be unique in the pipeline`
            : `duplicate id \`${effective}\` (defaulted from the stage type; already used by \`${prev}\`); give this stage an \`id\``,
        });
      });
    }
  }, { when: () => true }) // run even when entries failed, so every problem is reported at once
    .transform(({ description, data_dir, ...cfg }): PipelineConfig => ({
    ...cfg,
    ...(description === undefined ? {} : { description }),
    ...(data_dir === undefined ? {} : { data_dir }),
    sources: cfg.sources as ComponentConfig[],
    stages: (cfg.stages as { id?: string; type: string }[]).map((s) => ({ ...s, id: s.id ?? s.type })) as ComponentConfig[],
    sinks: cfg.sinks as ComponentConfig[],
  })).meta({ title: 'Tributary pipeline', description: 'A Tributary pipeline file (pipelines as code).' });
  const typed = schema as unknown as z.ZodType<PipelineConfig>;
  cache.set(registry, typed);
  return typed;
}
