import './zod-jitless';
// The REST-only entry of the SDK (`@conclave/client/rest`): what a screen before the meeting needs (sign-in,
// meetings, lobby), without mediasoup-client or the E2EE code, so the sign-in page's first download stays small.
export { AuthClient, type AuthClientOptions } from './rest/auth-client';
export { RoomsClient, type RoomsClientOptions } from './rest/rooms-client';
export { RestError } from './rest/rest-error';
export type { RestClientOptions } from './rest/http';
