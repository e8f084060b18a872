/** JSON Schema export of the pipeline format, for `tributary schema`, editors and the docs. */
import { z } from 'zod';
import type { ComponentRegistry } from './registry-types.js';
import { buildPipelineSchema } from './schema/pipeline.js';

/** Canonical `$id` of the pipeline JSON Schema. */
export const PIPELINE_SCHEMA_ID = 'https://tributary.dev/schemas/pipeline.schema.json';

/**
 * JSON Schema (draft 2020-12) of what a user may write in a pipeline file for `registry`: the
 * input side of the zod schema (fields with defaults are optional and carry `default`), with every
 * `.meta` description and example. Integer bounds zod adds by itself (±2^53-1) are left out.
 */
export function pipelineJsonSchema(registry: ComponentRegistry): Record<string, unknown> {
  return { $id: PIPELINE_SCHEMA_ID, ...toJsonSchema(buildPipelineSchema(registry)) };
}

/** JSON Schema (draft 2020-12, input side) of any config zod schema, with the same cleanup. */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      const js = jsonSchema as Record<string, unknown>;
      if (js['minimum'] === Number.MIN_SAFE_INTEGER) delete js['minimum'];
      if (js['maximum'] === Number.MAX_SAFE_INTEGER) delete js['maximum'];
    },
  }) as Record<string, unknown>;
}
