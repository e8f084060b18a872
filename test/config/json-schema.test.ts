import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pipelineJsonSchema } from '../../src/config/json-schema.js';
import { fakeRegistry } from './fake-registry.js';

type Js = Record<string, any>;

it('exports draft 2020-12 JSON Schema with every component option and description', () => {
  const js = pipelineJsonSchema(fakeRegistry) as Js;
  assert.equal(js['$schema'], 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(js['additionalProperties'], false);
  assert.deepEqual(js['required'], ['name', 'sources', 'sinks']);
  const sources = js['properties'].sources.items.oneOf as Js[];
  assert.deepEqual(sources.map((s) => s['properties'].type.const), ['files', 'http']);
  const files = sources[0]!;
  assert.equal(files['additionalProperties'], false);
  assert.deepEqual(Object.keys(files['properties']).sort(), ['encoding', 'exclude', 'follow', 'id', 'include', 'max_line_bytes', 'rotate', 'type']);
  assert.equal(files['properties'].include.description, 'Glob patterns of files to read.');
  assert.equal(files['properties'].max_line_bytes.default, 65536);
  assert.equal(files['properties'].max_line_bytes.minimum, 1);
  assert.deepEqual(files['required'], ['include', 'id', 'type']);
  const token = sources[1]!['properties'].token;
  assert.equal(token['x-tributary-secret'], true);
  assert.ok(new RegExp(token.pattern).test('${secret:TOKEN}'));
  const stages = js['properties'].stages.items.oneOf as Js[];
  assert.ok(!stages[0]!['required'].includes('id'), 'stage ids are optional');
  assert.deepEqual(js['properties'].engine.properties.workers.anyOf, [
    { type: 'string', const: 'auto' }, { type: 'integer', minimum: 1, maximum: 64 },
  ]);
  assert.equal(js['properties'].quality.properties.max_invalid_ratio.default, 0.05);
  assert.ok(!JSON.stringify(js).includes('9007199254740991'), 'no implicit integer bounds');
});
