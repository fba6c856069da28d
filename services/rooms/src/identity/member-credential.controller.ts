import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { memberCredentialRequestSchema } from '@conclave/protocol';
import { parseBody } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import { AuthGuard, CurrentCaller, SourceIp } from '../auth/auth.guard';
import { errorSchema, jwksSchema, requestSchema } from '../http/openapi-schemas';
import { MemberCredentialIssuer } from './member-credential-issuer';
import { MemberCredentials } from './member-credentials';

const memberCredentialResponseSchema: SchemaObject = {
  type: 'object',
  required: ['credential', 'expiresAt'],
  properties: {
    credential: { type: 'string', description: 'Compact JWS (ES256, typ conclave-member+jwt)' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
};

/** An MLS member credential for one's own admitted session: room control vouches for its signature key. */
@ApiTags('meetings')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('meetings')
export class MemberCredentialController {
  constructor(@Inject(MemberCredentials) private readonly credentials: MemberCredentials) {}

  @Post(':meetingId/participants/:participantId/credential')
  @HttpCode(200)
  @ApiParam({ name: 'meetingId', description: 'The meeting id' })
  @ApiParam({ name: 'participantId', description: "One's own participant session" })
  @ApiOperation({
    summary: "An MLS member credential binding one's own admitted session to an MLS signature key",
  })
  @ApiBody({ schema: requestSchema(memberCredentialRequestSchema) })
  @ApiResponse({ status: 200, schema: memberCredentialResponseSchema })
  @ApiResponse({ status: 400, description: 'refused, with a stable code', schema: errorSchema })
  @ApiResponse({ status: 401, description: 'refused, with a stable code', schema: errorSchema })
  @ApiResponse({ status: 403, description: 'refused, with a stable code', schema: errorSchema })
  @ApiResponse({ status: 404, description: 'refused, with a stable code', schema: errorSchema })
  @ApiResponse({ status: 409, description: 'refused, with a stable code', schema: errorSchema })
  issue(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.credentials.issue(
      caller,
      meetingId,
      participantId,
      parseBody(memberCredentialRequestSchema, body),
      ip,
    );
  }
}

/** The keys member credentials are signed with (no authentication: public keys only). */
@ApiTags('keys')
@Controller('.well-known')
export class MemberCredentialKeysController {
  constructor(@Inject(MemberCredentialIssuer) private readonly issuer: MemberCredentialIssuer) {}

  @Get('member-credential-keys.json')
  @ApiOperation({ summary: 'The public keys MLS member credentials are signed with (JWKS, ES256)' })
  @ApiResponse({ status: 200, schema: jwksSchema })
  keys() {
    return this.issuer.keySet();
  }
}
