/**
 * SCRAM-SHA-256 verifiers: RFC 7677's test vector, interoperability with an independent client-side
 * computation (property test), SASLprep, the fake verifier for unknown users, and a real handshake:
 * the `pg` client library logging in through pg-gateway with these verifiers.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { fromNodeSocket } from 'pg-gateway/node';
import { createScramVerifier, fakeScramVerifier, saslPrep, verifyScramClientProof } from './scram.js';
import type { ScramSha256Data } from './scram.js';

/** RFC 7677 §3 exchange for user `user`, password `pencil`. */
const RFC = {
  password: 'pencil', salt: 'W22ZaJ0SNY7soEsUEjb6gQ==', iterations: 4096,
  clientFirstBare: 'n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinalNoProof: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  proof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};
const authMessage = `${RFC.clientFirstBare},${RFC.serverFirst},${RFC.clientFinalNoProof}`;

/** The client side of RFC 5802 §3, written independently of scram.ts. */
function clientProof(password: string, saltB64: string, iterations: number, message: string): { proof: string; serverSignature: string } {
  const salted = pbkdf2Sync(password, Buffer.from(saltB64, 'base64'), iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const signature = createHmac('sha256', storedKey).update(message).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return { proof: proof.toString('base64'), serverSignature: createHmac('sha256', serverKey).update(message).digest('base64') };
}

describe('SCRAM-SHA-256 verifiers', () => {
  test('RFC 7677 test vector: the verifier accepts the RFC client proof and yields the RFC server signature', async () => {
    const v = await createScramVerifier(RFC.password, { salt: Buffer.from(RFC.salt, 'base64'), iterations: RFC.iterations });
    assert.deepEqual([v.salt, v.iterations], [RFC.salt, 4096]);
    assert.equal(verifyScramClientProof({ authMessage, clientProof: RFC.proof, storedKey: v.storedKey }), true);
    const serverSignature = createHmac('sha256', Buffer.from(v.serverKey, 'base64')).update(authMessage).digest('base64');
    assert.equal(serverSignature, RFC.serverSignature);
    const wrong = await createScramVerifier('pencil2', { salt: Buffer.from(RFC.salt, 'base64') });
    assert.equal(verifyScramClientProof({ authMessage, clientProof: RFC.proof, storedKey: wrong.storedKey }), false);
    assert.equal(verifyScramClientProof({ authMessage: `${authMessage}x`, clientProof: RFC.proof, storedKey: v.storedKey }), false);
    assert.equal(verifyScramClientProof({ authMessage, clientProof: RFC.proof.slice(0, 20), storedKey: v.storedKey }), false);
  });

  test('property: a proof computed by a standard client verifies for the right password only', async () => {
    await fc.assert(fc.asyncProperty(
      fc.string({ minLength: 1, maxLength: 24, unit: fc.constantFrom(...'abcXYZ019 !$%,=éß') }), fc.string({ minLength: 1, maxLength: 24 }), fc.uint8Array({ minLength: 8, maxLength: 24 }),
      async (password, message, salt) => {
        const v = await createScramVerifier(password, { salt: Buffer.from(salt) });
        const c = clientProof(password.normalize('NFKC'), v.salt, v.iterations, message);
        assert.equal(verifyScramClientProof({ authMessage: message, clientProof: c.proof, storedKey: v.storedKey }), true);
        assert.equal(createHmac('sha256', Buffer.from(v.serverKey, 'base64')).update(message).digest('base64'), c.serverSignature);
        const other = clientProof(`${password}!`, v.salt, v.iterations, message);
        assert.equal(verifyScramClientProof({ authMessage: message, clientProof: other.proof, storedKey: v.storedKey }), false);
      }), { numRuns: 25 });
  });

  test('SASLprep maps non-ASCII spaces, drops soft hyphens, NFKC-normalises, keeps prohibited input as is', () => {
    assert.equal(saslPrep('I\u00ADX'), 'IX');
    assert.equal(saslPrep('a\u00A0b'), 'a b');
    assert.equal(saslPrep('\u2168'), 'IX');
    assert.equal(saslPrep('a\u0007b'), 'a\u0007b');
  });

  test('iterations below 4096 are refused; fresh salts differ', async () => {
    await assert.rejects(createScramVerifier('pw', { iterations: 1000 }), RangeError);
    assert.notEqual((await createScramVerifier('pw')).salt, (await createScramVerifier('pw')).salt);
  });

  test('the fake verifier is deterministic per name and secret, shaped like a real one, and matches no password', async () => {
    const secret = randomBytes(32);
    const a = fakeScramVerifier('mallory', secret);
    assert.deepEqual(a, fakeScramVerifier('mallory', secret));
    assert.notDeepEqual(a, fakeScramVerifier('mallorz', secret));
    assert.notDeepEqual(a, fakeScramVerifier('mallory', randomBytes(32)));
    const real = await createScramVerifier('pw');
    assert.deepEqual(Object.keys(a), Object.keys(real));
    assert.deepEqual([a.salt.length, a.storedKey.length, a.serverKey.length], [real.salt.length, real.storedKey.length, real.serverKey.length]);
    const c = clientProof('', a.salt, a.iterations, 'm');
    assert.equal(verifyScramClientProof({ authMessage: 'm', clientProof: c.proof, storedKey: a.storedKey }), false);
    assert.throws(() => fakeScramVerifier('x', randomBytes(8)), RangeError);
  });
});

describe('SCRAM-SHA-256 through pg-gateway with the pg client library', () => {
  test('the right password logs in (server signature checked by the client); a wrong one and an unknown user are refused alike', async (t) => {
    const users = new Map<string, ScramSha256Data>([['metabase', await createScramVerifier('correct horse battery')]]);
    const secret = randomBytes(32);
    const server = createServer((socket) => {
      void fromNodeSocket(socket, {
        auth: {
          method: 'scram-sha-256',
          getScramSha256Data: ({ username }) => users.get(username) ?? fakeScramVerifier(username, secret),
          validateCredentials: ({ authMessage: m, clientProof: p, scramSha256Data }) => verifyScramClientProof({ authMessage: m, clientProof: p, storedKey: scramSha256Data.storedKey }),
        },
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;
    const login = async (user: string, password: string): Promise<string> => {
      const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'x', connectionTimeoutMillis: 5000 });
      try { await c.connect(); return 'ok'; } catch (err) { return (err as Error).message; } finally { await c.end().catch(() => {}); }
    };
    assert.equal(await login('metabase', 'correct horse battery'), 'ok');
    assert.match(await login('metabase', 'wrong horse battery'), /password authentication failed for user "metabase"/);
    assert.match(await login('nobody', 'correct horse battery'), /password authentication failed for user "nobody"/);
  });
});
