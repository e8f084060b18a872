import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { StageSpec } from '../../src/core/component.js';
import { Invariant } from '../../src/core/errors.js';
import { loadPipelineText, validatePipelineText } from '../../src/config/load-config.js';
import type { ComponentRegistry } from '../../src/config/registry-types.js';
import { buildPipelineSchema } from '../../src/config/schema/pipeline.js';
import { fakeRegistry, fakeSinks, fakeStages, VALID_YAML } from './fake-registry.js';

const stage = (type: string, config: z.ZodType): StageSpec => ({
  kind: 'stage', type, description: `${type} stage`, config, create: () => { throw new Error('unused'); },
});
const withStages = (...stages: StageSpec[]): ComponentRegistry => ({ ...fakeRegistry, stages: [...fakeStages, ...stages] });

describe('buildPipelineSchema', () => {
  it('is cached per registry object', () => {
    assert.equal(buildPipelineSchema(fakeRegistry), buildPipelineSchema(fakeRegistry));
  });

  it('refuses a registry with a duplicate type or a config declaring `id`/`type`', () => {
    assert.throws(() => buildPipelineSchema(withStages(stage('parse', z.strictObject({})))),
      (e: unknown) => Invariant.is(e) && /`parse` is registered twice/.test(e.message));
    assert.throws(() => buildPipelineSchema(withStages(stage('tag', z.strictObject({ type: z.string() })))),
      (e: unknown) => Invariant.is(e) && /reserved key `type`/.test(e.message));
  });

  it('makes non-strict object configs strict', () => {
    const reg = withStages(stage('tag', z.object({ label: z.string() })));
    const text = VALID_YAML.replace('  - type: dedupe\n', '  - type: dedupe\n  - type: tag\n    label: x\n    lable: y\n');
    const r = validatePipelineText(text, 'p.yaml', reg, { env: {} });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0]?.details['path'], 'stages[3].lable');
      assert.match(String(r.problems[0]?.details['reason']), /did you mean `label`/);
    }
  });

  it('validates entries whose config is not an object schema, with paths into the entry', () => {
    const union = z.union([
      z.strictObject({ pattern: z.string().meta({ description: 'Regex.' }) }),
      z.strictObject({ format: z.enum(['json', 'csv']) }),
    ]);
    const reg = withStages(stage('extract', union));
    const base = VALID_YAML.replace('  - type: dedupe\n', '  - type: dedupe\n  - type: extract\n    id: ex\n    format: jsn\n');
    const r = validatePipelineText(base, 'p.yaml', reg, { env: {} });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0]?.details['path'], 'stages[3].format');
      assert.equal(r.problems[0]?.details['line'], 14);
    }
    const ok = loadPipelineText(base.replace('format: jsn', 'format: csv'), 'p.yaml', reg, { env: {} });
    assert.deepEqual(ok.config.stages[3], { id: 'ex', type: 'extract', format: 'csv' });
  });

  it('reports every entry as an unknown component when a kind has no registered type', () => {
    const reg: ComponentRegistry = { ...fakeRegistry, sinks: [] };
    const r = validatePipelineText(VALID_YAML, 'p.yaml', reg, { env: {} });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.problems.map((p) => [p.code, p.details['path']]), [
      ['TRB_CONFIG_UNKNOWN_COMPONENT', 'sinks[0].type'], ['TRB_CONFIG_UNKNOWN_COMPONENT', 'sinks[1].type'],
    ]);
  });

  it('rejects a removed or misspelled engine key', () => {
    const r = validatePipelineText(`${VALID_YAML}engine:\n  batch_lines: 9000\n`, 'p.yaml', { ...fakeRegistry, sinks: fakeSinks }, { env: {} });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.problems[0]?.details['path'], 'engine.batch_lines');
  });
});
