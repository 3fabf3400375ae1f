// Tokens already verified, so that a client sending the same bearer token request after request
// (the console, an integration) pays for the signature check and the claims schema once rather than
// on every call: on a list answered by PostgreSQL in half a millisecond, that check was a large part
// of what the API adds (bench/RESULTS.md "Queries").
//
// Keyed by the whole raw token: a token differing in any byte (a tampered signature or payload) is
// another key and is verified afresh. Only successes are stored, each until its `exp` at the latest,
// and never longer than MAX_AGE_MS, so a signing key withdrawn from the JWKS stops being honoured
// about as soon as the JWKS cache itself notices. Least recently used entries go first when full.

/** The most tokens remembered: a few hundred users with a token or two each, ~1 KB per entry. */
export const MAX_VERIFIED_TOKENS = 1_000;
/** The longest an entry is trusted without verifying the token again. */
export const MAX_AGE_MS = 60_000;

export interface VerifiedTokens<T> {
  /** The claims of a token verified before and not yet expired at `nowMs`; undefined otherwise. */
  get(token: string, nowMs: number): T | undefined;
  /** Remembers a token that has just passed verification, until `expiresAtMs` (its exp) at the latest. */
  remember(token: string, claims: T, expiresAtMs: number, nowMs: number): void;
  readonly size: number;
}

export function verifiedTokens<T>(max = MAX_VERIFIED_TOKENS): VerifiedTokens<T> {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
  const entries = new Map<string, { claims: T; until: number }>();
  return {
    get(token, nowMs) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      entries.delete(token);
      if (nowMs >= entry.until) return undefined;
      entries.set(token, entry);
      return entry.claims;
    },
    remember(token, claims, expiresAtMs, nowMs) {
      const until = Math.min(expiresAtMs, nowMs + MAX_AGE_MS);
      if (!(until > nowMs)) return;
      entries.delete(token);
      entries.set(token, { claims, until });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    get size() {
      return entries.size;
    },
  };
}
