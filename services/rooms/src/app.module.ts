import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessTokenVerifier } from './auth/access-token-verifier';
import { AuthGuard } from './auth/auth.guard';
import { KeysController } from './http/keys.controller';
import { MeetingsController } from './http/meetings.controller';
import { ParticipantStreamController } from './http/participant-stream.controller';
import { MeetingChangesController } from './http/meeting-changes.controller';
import {
  MemberCredentialController,
  MemberCredentialIssuer,
  MemberCredentialKeysController,
  MemberCredentials,
} from './identity';
import { RateLimits, SourceRateLimitGuard, UserRateLimitGuard } from './http/rate-limit';
import { MeetingAdmission } from './meetings/meeting-admission';
import { MeetingPowers } from './meetings/meeting-powers';
import { MeetingScheduling } from './meetings/meeting-scheduling';
import { MeetingEditing } from './meetings/meeting-editing';
import { TicketIssuer } from './tickets/ticket-issuer';
import { ParticipantStreamService } from './streams/participant-stream-service';
import { StreamSettings } from './streams/stream-settings';

export interface RoomsModuleProviders {
  scheduling: MeetingScheduling;
  admission: MeetingAdmission;
  powers: MeetingPowers;
  editing: MeetingEditing;
  verifier: AccessTokenVerifier;
  tickets: TicketIssuer;
  credentialIssuer: MemberCredentialIssuer;
  memberCredentials: MemberCredentials;
  limits: RateLimits;
  participantStreams: ParticipantStreamService;
  streamSettings: StreamSettings;
}

/** The REST API: controllers over services built (and owned) by `RoomsServer`. */
@Module({})
export class RoomsModule {
  static register(providers: RoomsModuleProviders): DynamicModule {
    return {
      module: RoomsModule,
      controllers: [
        MeetingsController,
        KeysController,
        MemberCredentialController,
        MemberCredentialKeysController,
        ParticipantStreamController,
        MeetingChangesController,
      ],
      providers: [
        { provide: MeetingScheduling, useValue: providers.scheduling },
        { provide: MeetingAdmission, useValue: providers.admission },
        { provide: MeetingPowers, useValue: providers.powers },
        { provide: MeetingEditing, useValue: providers.editing },
        { provide: AccessTokenVerifier, useValue: providers.verifier },
        { provide: TicketIssuer, useValue: providers.tickets },
        { provide: MemberCredentialIssuer, useValue: providers.credentialIssuer },
        { provide: MemberCredentials, useValue: providers.memberCredentials },
        { provide: RateLimits, useValue: providers.limits },
        { provide: ParticipantStreamService, useValue: providers.participantStreams },
        { provide: StreamSettings, useValue: providers.streamSettings },
        { provide: APP_GUARD, useClass: SourceRateLimitGuard },
        AuthGuard,
        UserRateLimitGuard,
      ],
    };
  }
}
