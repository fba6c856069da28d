import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Path the OpenAPI document is served at. */
export const OPENAPI_PATH = '/api/auth/openapi.json';

/** The OpenAPI document of the public API, generated from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Conclave authentication service')
    .setDescription(
      'Sign-in (local + TOTP, LDAP), tokens, sessions and the JWKS other services verify access tokens with.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}
