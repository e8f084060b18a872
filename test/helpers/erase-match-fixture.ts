/**
 * One person's rows among others, in every identifier form erasure knows, for the matching tests
 * of both engines (DuckDB: relation-predicate.test.ts, PostgreSQL: pg-relation-predicate.int.test.ts):
 * raw and IPv4-mapped addresses, pseudonyms of two epochs, encrypted tokens, X-Forwarded-For lists,
 * client_id, visitor ids under two key versions, quarantined raw lines in clear and encrypted,
 * against rows that must NOT match (neighbours in the same truncated /24, other addresses,
 * undecryptable tokens, NULLs).
 */
import { encryptField } from '../../src/security/crypto/field-cipher.js';
import type { IdentifierPolicies } from '../../src/security/erase/identifier-policies.js';
import { pseudonym } from '../../src/stages/privacy/pseudonym.js';
import { VisitorIds } from '../../src/stages/sessions/visitor-id.js';
import { MemoryDataKeys } from './memory-data-keys.js';

/** The person's address. */
export const IP = '203.0.113.7';
/** First UTC day of the rows. */
export const DAY1 = '2026-11-01';
/** Second UTC day of the rows. */
export const DAY2 = '2026-11-02';
/** The vault keys of the fixture. */
export const keys = new MemoryDataKeys();
/** Pseudonym key, epoch 1. */
export const ps1 = keys.rotate('pseudonyms', 'hmac');
/** Pseudonym key, epoch 2. */
export const ps2 = keys.rotate('pseudonyms', 'hmac');
/** Visitor key, version 1. */
export const v1 = keys.rotate('visitors', 'hmac');
/** Visitor key, version 2. */
export const v2 = keys.rotate('visitors', 'hmac');
/** Field-encryption key. */
export const field = keys.rotate('field', 'field');
/** The field key as `encryptField` takes it. */
export const fk = { name: 'field', version: 1, material: field.material };
/** The visitor id of (address, agent, day) under key material `k`. */
export const vid = (k: Uint8Array, ip: string, ua: string | null, day: string): string => new VisitorIds(k).id(ip, ua, day);
/** Policies of a pipeline that truncates client_ip to /24 (/48), with pseudonym and visitor keys. */
export const TRUNCATING: IdentifierPolicies = {
  clientIp: ['truncate'], truncations: [{ ipv4: 24, ipv6: 48 }], userAgent: [], pseudonymKeys: ['pseudonyms'], visitorKeys: ['visitors'], tokenDatasets: ['requests'], behindProxies: false, outputDatasets: [],
};

/** Request rows: [label, client_ip, x_forwarded_for, client_id, visitor_id, user_agent, day, person?]. */
export const ROWS: readonly (readonly [string, string | null, string | null, string | null, string | null, string | null, string, boolean])[] = [
  ['raw', IP, null, null, null, 'UA-1', DAY1, true],
  ['mapped', `::ffff:${IP}`, null, null, null, 'UA-1', DAY1, true],
  ['pseudonym epoch 1', pseudonym(ps1.material, 1, 'client_ip', IP), null, null, null, 'UA-1', DAY1, true],
  ['pseudonym epoch 2', pseudonym(ps2.material, 2, 'client_ip', IP), null, null, null, 'UA-1', DAY1, true],
  ['token', encryptField(IP, fk, { dataset: 'requests', field: 'client_ip' }), null, null, null, 'UA-1', DAY1, true],
  ['token of another address', encryptField('203.0.113.8', fk, { dataset: 'requests', field: 'client_ip' }), null, null, null, 'UA-1', DAY1, false],
  ['token bound elsewhere', encryptField(IP, fk, { dataset: 'elsewhere', field: 'client_ip' }), null, null, null, 'UA-1', DAY1, false],
  ['longer address', '203.0.113.70', null, null, null, 'UA-1', DAY1, false],
  ['dropped ip, visitor id (key v1)', null, null, null, vid(v1.material, IP, 'UA-1', DAY1), 'UA-1', DAY1, true],
  ['truncated ip, visitor id (key v2, day 2)', '203.0.113.0', null, null, vid(v2.material, IP, 'UA-2', DAY2), 'UA-2', DAY2, true],
  ['truncated ip, a neighbour', '203.0.113.0', null, null, vid(v1.material, '203.0.113.99', 'UA-1', DAY1), 'UA-1', DAY1, false],
  ['truncated ip, no visitor id', '203.0.113.0', null, null, null, 'UA-1', DAY1, false],
  ['via proxy', '198.51.100.1', `10.0.0.1, ${IP}`, null, null, 'UA-1', DAY1, true],
  ['client_id', '198.51.100.2', null, pseudonym(ps1.material, 1, 'client_ip', IP), null, 'UA-1', DAY1, true],
  ['nothing at all', null, null, null, null, null, DAY1, false],
];
/** Quarantined raw lines: [raw, person?]. */
export const RAW: readonly (readonly [string | null, boolean])[] = [
  [`${IP} - - [01/Nov/2026:00:00:01 +0000] "GET / HTTP/1.1" 999 1`, true],
  [encryptField(`${IP} - - "junk"`, fk, { dataset: 'quarantine', field: 'raw' }), true],
  ['203.0.113.70 - - "junk"', false],
  [null, false],
];
