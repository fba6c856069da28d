import { Module, type DynamicModule } from '@nestjs/common';
import { AccessTokenVerifier } from './auth/access-token-verifier';
import { AuthGuard } from './auth/auth.guard';
import { KeysController } from './http/keys.controller';
import { MeetingsController } from './http/meetings.controller';
import { MeetingsService } from './meetings/meetings.service';
import { TicketIssuer } from './tickets/ticket-issuer';

export interface RoomsModuleProviders {
  meetings: MeetingsService;
  verifier: AccessTokenVerifier;
  tickets: TicketIssuer;
}

/** The REST API: controllers over services built (and owned) by `RoomsServer`. */
@Module({})
export class RoomsModule {
  static register(providers: RoomsModuleProviders): DynamicModule {
    return {
      module: RoomsModule,
      controllers: [MeetingsController, KeysController],
      providers: [
        { provide: MeetingsService, useValue: providers.meetings },
        { provide: AccessTokenVerifier, useValue: providers.verifier },
        { provide: TicketIssuer, useValue: providers.tickets },
        AuthGuard,
      ],
    };
  }
}
