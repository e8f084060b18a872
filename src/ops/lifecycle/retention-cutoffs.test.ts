/** Cutoffs: bronze at an instant, the other layers at a UTC midnight so lake days and warehouse rows expire together. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { retentionCutoffs } from './retention-cutoffs.js';

const retention = { bronze: '7d', silver: '90d', gold: '2y', quarantine: '30d', gold_tables: [] };

it('bronze is cut at the instant; silver, gold and quarantine at the UTC midnight of `at - retention`', () => {
  const c = retentionCutoffs(retention, new Date('2026-11-23T17:30:00.123Z'));
  assert.deepEqual({ ...c }, {
    at: '2026-11-23T17:30:00.123Z',
    bronze: '2026-11-16T17:30:00.123Z',
    silver: '2026-08-25T00:00:00.000Z',
    gold: '2024-11-23T00:00:00.000Z',
    quarantine: '2026-10-24T00:00:00.000Z',
  });
});

it('at midnight the day `at - retention` is kept; one millisecond earlier it is still kept', () => {
  assert.equal(retentionCutoffs(retention, new Date('2026-11-23T00:00:00.000Z')).silver, '2026-08-25T00:00:00.000Z');
  assert.equal(retentionCutoffs(retention, new Date('2026-11-22T23:59:59.999Z')).silver, '2026-08-24T00:00:00.000Z');
});
