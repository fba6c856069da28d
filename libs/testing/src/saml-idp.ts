import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import * as samlify from 'samlify';

export interface SamlIdpOptions {
  /** The service provider's entity id and assertion consumer service URL. */
  spEntityId: string;
  acsUrl: string;
}

export interface SamlIdpFixture {
  entityId: string;
  /** Single sign-on URL to configure at the SP (never fetched: `respond()` plays the IdP in-process). */
  ssoUrl: string;
  /** PEM of the certificate the IdP signs assertions with. */
  certFile: string;
  /** Answers the AuthnRequest carried by `redirectUrl` with a signed response naming `nameId` (base64 `SAMLResponse`). */
  respond(redirectUrl: string, nameId: string): Promise<string>;
  destroy(): void;
}

/** A real signing SAML IdP (samlify) with an RSA key and certificate generated at run time. */
export async function startSamlIdp(options: SamlIdpOptions): Promise<SamlIdpFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-saml-'));
  const crypto = webcrypto as unknown as Crypto;
  x509.cryptoProvider.set(crypto);
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16).toString('hex'),
    name: 'CN=Conclave test SAML IdP',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: alg,
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const label = 'PRIVATE KEY';
  const privateKey = `-----BEGIN ${label}-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
  const certPem = cert.toString('pem');
  const certFile = join(dir, 'idp.crt');
  writeFileSync(certFile, certPem + '\n');

  // Test-only IdP: the XML schema check needs an external validator module, the signature is what matters here.
  samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') });
  const entityId = 'https://idp.conclave.test/metadata';
  const ssoUrl = 'https://idp.conclave.test/sso';
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    privateKey,
    signingCert: certPem,
    isAssertionEncrypted: false,
    wantAuthnRequestsSigned: false,
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: ssoUrl }],
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'],
  });
  const sp = samlify.ServiceProvider({
    entityID: options.spEntityId,
    wantAssertionsSigned: true,
    authnRequestsSigned: false,
    assertionConsumerService: [
      { Binding: samlify.Constants.namespace.binding.post, Location: options.acsUrl },
    ],
  });

  return {
    entityId,
    ssoUrl,
    certFile,
    async respond(redirectUrl, nameId) {
      const query = Object.fromEntries(new URL(redirectUrl).searchParams);
      const request = await idp.parseLoginRequest(sp, 'redirect', { query } as never);
      const response = await idp.createLoginResponse(sp, request as never, 'post', { email: nameId });
      return (response as { context: string }).context;
    },
    destroy() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
