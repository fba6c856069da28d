import type { z } from 'zod';
import {
  ROOMS_API_PREFIX,
  type EditMeetingRequest,
  type InstantMeetingRequest,
  type JoinResponse,
  type LobbyDecisionRequest,
  type MeetingSummary,
  type MediaSource,
  type MeetingView,
  type ParticipantEvent,
  type ParticipantState,
  type ParticipantView,
  type ScheduleMeetingRequest,
  type TicketResponse,
} from '@conclave/protocol';
import { callJson, type RestClientOptions } from './http';
import {
  readParticipantStream,
  type ParticipantStream,
  type ParticipantStreamOptions,
} from './participant-stream';
import {
  joinResponseSchema,
  meetingListSchema,
  meetingViewSchema,
  participantEventsSchema,
  participantListSchema,
  participantStatusSchema,
  participantViewSchema,
  ticketResponseSchema,
} from './replies';

export interface RoomsClientOptions extends RestClientOptions {
  /** A current access token (the app refreshes it before it expires). */
  accessToken: () => string | Promise<string>;
}

/**
 * The room-control service's REST API (`/api/rooms`): my meetings, scheduling, joining. Every reply is validated
 * against its `libs/protocol` type; refusals throw `RestError` with the stable code.
 */
export class RoomsClient {
  private readonly options: RoomsClientOptions;

  constructor(options: RoomsClientOptions) {
    this.options = options;
  }

  /** Meetings I organise or am invited to (ended ones excluded, cancelled ones included), in start order. */
  async listMine(): Promise<MeetingSummary[]> {
    return this.call('GET', '/meetings', meetingListSchema);
  }

  async get(meetingId: string): Promise<MeetingView> {
    return this.call('GET', `/meetings/${encodeURIComponent(meetingId)}`, meetingViewSchema);
  }

  async createInstant(request: Partial<InstantMeetingRequest> & { title: string }): Promise<MeetingView> {
    return this.call('POST', '/meetings/instant', meetingViewSchema, request);
  }

  async schedule(request: ScheduleMeetingRequest): Promise<MeetingView> {
    return this.call('POST', '/meetings', meetingViewSchema, request);
  }

  /** Asks to enter: admitted at once, or waiting in the lobby. */
  async join(meetingId: string): Promise<JoinResponse> {
    return this.call('POST', `/meetings/${encodeURIComponent(meetingId)}/join`, joinResponseSchema);
  }

  /** The state of one's own participant session (the lobby polls it until admitted or refused). */
  async participantState(
    meetingId: string,
    participantId: string,
  ): Promise<{ participantId: string; state: ParticipantState }> {
    return this.call('GET', participantPath(meetingId, participantId), participantStatusSchema);
  }

  /** A short-lived SFU join ticket for one's own admitted session. */
  async ticket(meetingId: string, participantId: string): Promise<TicketResponse> {
    return this.call('POST', `${participantPath(meetingId, participantId)}/ticket`, ticketResponseSchema);
  }

  /** Organisers: changes the fields given of a meeting that has not ended. */
  async edit(meetingId: string, request: EditMeetingRequest): Promise<MeetingView> {
    return this.call('PATCH', `/meetings/${encodeURIComponent(meetingId)}`, meetingViewSchema, request);
  }

  /** Organisers: cancels a meeting that has not started; nobody can join it afterwards. */
  async cancel(meetingId: string): Promise<MeetingView> {
    return this.call('POST', `/meetings/${encodeURIComponent(meetingId)}/cancel`, meetingViewSchema);
  }

  /** The admitted participants, with their role and rights (organisers and admitted participants). */
  async participants(meetingId: string): Promise<ParticipantView[]> {
    return this.call('GET', `/meetings/${encodeURIComponent(meetingId)}/participants`, participantListSchema);
  }

  /** Requests addressed to one's own session (e.g. `unmute-requested`); each is returned once. */
  async participantEvents(meetingId: string, participantId: string): Promise<ParticipantEvent[]> {
    return this.call('GET', `${participantPath(meetingId, participantId)}/events`, participantEventsSchema);
  }

  /** Organisers: stop forwarding a participant's microphone (or `source`); it cannot unmute until asked. */
  async mute(
    meetingId: string,
    participantId: string,
    source: MediaSource = 'microphone',
  ): Promise<ParticipantView> {
    return this.power('POST', meetingId, participantId, 'mute', { source });
  }

  /** Organisers: ask a participant to unmute (the person decides). */
  async askUnmute(meetingId: string, participantId: string): Promise<ParticipantView> {
    return this.power('POST', meetingId, participantId, 'ask-unmute');
  }

  /** Organisers: turn a camera off and take back the right (false), or give it back (true). */
  async setCamera(meetingId: string, participantId: string, allowed: boolean): Promise<ParticipantView> {
    return this.power('PUT', meetingId, participantId, 'camera', { allowed });
  }

  /** Organisers: grant (true) or take back (false) screen sharing. */
  async setShare(meetingId: string, participantId: string, allowed: boolean): Promise<ParticipantView> {
    return this.power('PUT', meetingId, participantId, 'share', { allowed });
  }

  /** Organisers: remove a participant and bar the user from this meeting. */
  async remove(meetingId: string, participantId: string): Promise<ParticipantView> {
    return this.power('POST', meetingId, participantId, 'remove');
  }

  /** Organisers: make a participant co-organiser. */
  async promote(meetingId: string, participantId: string): Promise<ParticipantView> {
    return this.power('POST', meetingId, participantId, 'promote');
  }

  /** Organisers: lock (nobody new reaches even the lobby) or unlock the meeting. */
  async setLocked(meetingId: string, locked: boolean): Promise<MeetingView> {
    const path = `/meetings/${encodeURIComponent(meetingId)}/${locked ? 'lock' : 'unlock'}`;
    return this.call('POST', path, meetingViewSchema);
  }

  /** Organisers: end the meeting for everyone. */
  async end(meetingId: string): Promise<MeetingView> {
    return this.call('POST', `/meetings/${encodeURIComponent(meetingId)}/end`, meetingViewSchema);
  }

  /** Organisers: lower a participant's raised hand. */
  async lowerHand(meetingId: string, participantId: string): Promise<ParticipantView> {
    return this.power('POST', meetingId, participantId, 'lower-hand');
  }

  /** Organisers: lower every raised hand. */
  async lowerAllHands(meetingId: string): Promise<MeetingView> {
    return this.call('POST', `/meetings/${encodeURIComponent(meetingId)}/hands/lower-all`, meetingViewSchema);
  }

  private power(
    method: 'POST' | 'PUT',
    meetingId: string,
    participantId: string,
    power: string,
    body?: unknown,
  ): Promise<ParticipantView> {
    return this.call(
      method,
      `${participantPath(meetingId, participantId)}/${power}`,
      participantViewSchema,
      body,
    );
  }

  /**
   * Pushed events for one's own session (lobby outcome, requests, and the lobby for organisers), reconnecting
   * with a fresh access token after a drop until a final event or `close()`.
   */
  participantStream(
    meetingId: string,
    participantId: string,
    options: ParticipantStreamOptions,
  ): ParticipantStream {
    const doFetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    const url = `${this.options.baseUrl ?? ''}${ROOMS_API_PREFIX}${participantPath(meetingId, participantId)}/stream`;
    return readParticipantStream(
      async (signal) =>
        doFetch(url, {
          credentials: 'same-origin',
          cache: 'no-store',
          headers: {
            accept: 'text/event-stream',
            authorization: `Bearer ${await this.options.accessToken()}`,
          },
          signal,
        }),
      options,
    );
  }

  /** A waiting person withdraws from the lobby. */
  async leaveLobby(meetingId: string, participantId: string): Promise<void> {
    await this.call('POST', `${participantPath(meetingId, participantId)}/leave`, undefined);
  }

  /** Organisers: let waiting people in (named, or all). */
  async admit(meetingId: string, selection: LobbyDecisionRequest): Promise<void> {
    await this.call('POST', `/meetings/${encodeURIComponent(meetingId)}/lobby/admit`, undefined, selection);
  }

  /** Organisers: refuse waiting people (named, or all); refusal is final for the meeting. */
  async refuse(meetingId: string, selection: LobbyDecisionRequest): Promise<void> {
    await this.call('POST', `/meetings/${encodeURIComponent(meetingId)}/lobby/refuse`, undefined, selection);
  }

  private async call<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | undefined,
    body?: unknown,
  ): Promise<T> {
    const token = await this.options.accessToken();
    return callJson(this.options, method, `${ROOMS_API_PREFIX}${path}`, schema, {
      headers: { authorization: `Bearer ${token}` },
      ...(body !== undefined ? { body } : {}),
    });
  }
}

function participantPath(meetingId: string, participantId: string): string {
  return `/meetings/${encodeURIComponent(meetingId)}/participants/${encodeURIComponent(participantId)}`;
}
