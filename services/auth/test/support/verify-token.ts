/**
 * A separate process verifying access tokens the way another Conclave service does: JWKS over HTTP, the
 * protocol's issuer/audience/claims. Usage: verify-token.ts <jwksUrl> <unixMillis> <token>… ; prints JSON.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, accessTokenClaimsSchema } from '@conclave/protocol';

async function main(): Promise<void> {
  const [jwksUrl, at, ...tokens] = process.argv.slice(2);
  const jwks = createRemoteJWKSet(new URL(jwksUrl!));
  const results = [];
  for (const token of tokens) {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        algorithms: ['EdDSA'],
        currentDate: new Date(Number(at)),
      });
      results.push({ ok: accessTokenClaimsSchema.safeParse(payload).success, kid: protectedHeader.kid });
    } catch (error) {
      results.push({ ok: false, error: (error as { code?: string }).code ?? 'error' });
    }
  }
  console.log(JSON.stringify(results));
}

void main();
