export { SignallingClient, SignallingError, type WebSocketLike } from './signalling-client';
