/** Test helpers shared by the format tests (not exported from the formats index). */
import assert from 'node:assert/strict';
import type { ParsedRecord } from '../core/record.js';
import type { LineFormat } from './format.js';

/** Parses `line` with `format`, asserting success, and returns the record. */
export function parseOk<R extends ParsedRecord>(format: LineFormat<R>, line: string): R {
  const r = format.parse(line);
  if (!r.ok) assert.fail(`${format.name} failed on ${JSON.stringify(line)}: ${r.reason}`);
  return r.record;
}

/** Parses `line`, asserting failure, and returns the failure. */
export function parseFail(format: LineFormat, line: string): { code: string; reason: string; field?: string } {
  const r = format.parse(line);
  if (r.ok) assert.fail(`${format.name} unexpectedly parsed ${JSON.stringify(line)}: ${JSON.stringify(r.record)}`);
  return r;
}
