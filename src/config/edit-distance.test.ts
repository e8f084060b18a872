import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { didYouMean, editDistance, suggest } from './edit-distance.js';

it('computes the Levenshtein distance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('incldue', 'include'), 1);
  assert.equal(editDistance('ca', 'abc'), 3);
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
    const d = editDistance(a, b);
    assert.equal(d, editDistance(b, a));
    assert.ok(d <= Math.max(a.length, b.length) && d >= Math.abs(a.length - b.length));
    assert.equal(d === 0, a === b);
  }), { seed: 7 });
});

it('suggests close names only', () => {
  const keys = ['include', 'exclude', 'max_line_bytes', 'follow'];
  assert.deepEqual(suggest('incldue', keys), ['include']);
  assert.deepEqual(suggest('max_line_byte', keys), ['max_line_bytes']);
  assert.deepEqual(suggest('Follow', keys), ['follow']);
  assert.deepEqual(suggest('zzzz', keys), []);
  assert.equal(didYouMean('exlude', keys), ' (did you mean `exclude`?)');
  assert.equal(didYouMean('nothing_like_it', keys), '');
});
