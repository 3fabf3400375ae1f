// Development tokens: HS256 JWTs signed with the shared secret, for `npm run token`, the console's
// development sign-in (POST /dev/token, never mounted in production) and the tests.
import { SignJWT } from 'jose';

export async function mintToken(
  secret: string,
  claims: { sub: string; role: string; office?: string; agency?: string },
  ttlSeconds = 8 * 3600,
  /** AUTH_ISSUER and AUTH_AUDIENCE, when the API checks them (always in production). */
  scope: { issuer?: string; audience?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({ role: claims.role, ...(claims.office ? { office: claims.office } : {}), ...(claims.agency ? { agency: claims.agency } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (scope.issuer) jwt.setIssuer(scope.issuer);
  if (scope.audience) jwt.setAudience(scope.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
