import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TicketIssuer } from '../tickets/ticket-issuer';
import { jwksSchema } from './openapi-schemas';

/** Public keys of the join tickets, for the SFU (no authentication: public keys only). */
@ApiTags('keys')
@Controller('.well-known')
export class KeysController {
  constructor(@Inject(TicketIssuer) private readonly tickets: TicketIssuer) {}

  @Get('jwks.json')
  @ApiOperation({ summary: 'The public keys SFU join tickets are signed with (JWKS)' })
  @ApiResponse({ status: 200, schema: jwksSchema })
  jwks() {
    return this.tickets.jwks();
  }
}
