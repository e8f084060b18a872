import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SecretValue } from './secret-value.js';
import { scrubSecrets } from './secret-scrubber.js';

it('scrubs every value a SecretValue resolved to from outgoing text', () => {
  assert.equal(scrubSecrets('connect failed: postgres://app:pw-91d3e@db'), 'connect failed: postgres://app:pw-91d3e@db');
  SecretValue.reference('postgres://app:${secret:pg}@db').resolve(() => 'pw-91d3e');
  assert.equal(scrubSecrets('connect failed: postgres://app:pw-91d3e@db (pw-91d3e)'), 'connect failed: postgres://app:[redacted]@db ([redacted])');
  SecretValue.of('abc');
  assert.equal(scrubSecrets('abc'), 'abc', 'values under 4 characters are not scrubbed (too many false hits)');
});
