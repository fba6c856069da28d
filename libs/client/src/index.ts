import './zod-jitless';
export {
  SignallingClient,
  SignallingError,
  type InvalidServerMessage,
  type WebSocketLike,
} from './signalling-client';
export { Conference, type ConferenceEvents, type ConferenceIceOptions, type RemoteTrack } from './conference';
export { E2eeSession, type ChatMessage, type E2eeSessionEvents } from './e2ee/e2ee-session';
export { MemberIdentityError, roomControlIdentity, type MemberIdentitySource } from './e2ee/member-identity';
export { membershipChanges, peopleOf, type MembershipChange, type RosterPerson } from './e2ee/roster';
export { attachTransform, E2eeUnavailableError, encodedTransformSupport } from './e2ee/media-transforms';
export type { ParticipantE2eeState, FromWorker, ToWorker, TransformOptions } from './e2ee/worker-protocol';
export {
  joinMeeting,
  Meeting,
  type JoinMeetingOptions,
  type MeetingEvents,
  type MeetingSelf,
  type TicketGrant,
  type TrackStats,
} from './meeting/meeting';
export {
  MeetingLifecycle,
  type LifecycleAction,
  type LifecycleInput,
  type MeetingEndReason,
  type MeetingPhase,
} from './meeting/meeting-lifecycle';
export { AuthClient, type AuthClientOptions } from './rest/auth-client';
export { RoomsClient, type RoomsClientOptions } from './rest/rooms-client';
export { RestError } from './rest/rest-error';
export type { RestClientOptions } from './rest/http';
export {
  readParticipantStream,
  isFinalEvent,
  type ParticipantStream,
  type ParticipantStreamOptions,
  type ParticipantStreamStatus,
} from './rest/participant-stream';
