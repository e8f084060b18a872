/**
 * SCRAM-SHA-256 verifier lookup for the gateway, with the unknown-user case made to look like a
 * wrong password: an unknown user gets a dummy verifier whose salt is stable per user name (an
 * HMAC of the name under a per-process key) and whose keys match no password, so the handshake,
 * its timing and the final error are the same as for a real user with a wrong password.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ScramSha256Data } from 'pg-gateway';

/** A wire user's stored verifier and role, as src/security/identity provides them. */
export interface WireUserVerifier {
  readonly data: ScramSha256Data;
  readonly role: string;
}

/** Looks up a wire user; undefined when there is no such (enabled) user. */
export type ScramLookup = (user: string) => Promise<WireUserVerifier | undefined>;

/** The verifier to use for `user`: the stored one, or a dummy that never verifies. */
export interface ResolvedVerifier {
  readonly data: ScramSha256Data;
  readonly role: string | undefined;
}

/** Creates the resolver; `iterations` should equal the stored verifiers' iteration count. */
export function createVerifierResolver(lookup: ScramLookup, iterations: number): (user: string) => Promise<ResolvedVerifier> {
  const key = randomBytes(32);
  return async (user) => {
    const found = await lookup(user);
    if (found) return { data: found.data, role: found.role };
    const salt = createHmac('sha256', key).update(`salt\0${user}`).digest().subarray(0, 16).toString('base64');
    const junk = (): string => randomBytes(32).toString('base64');
    return { data: { salt, iterations, storedKey: junk(), serverKey: junk() }, role: undefined };
  };
}
