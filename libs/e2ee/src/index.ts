/**
 * End-to-end encryption for Conclave media and chat: SFrame (RFC 9605) per frame, keyed per sender from an
 * MLS group (RFC 9420) per meeting. Runs in browsers (dedicated workers) and in Node; no Node built-ins.
 */
export * from './sframe';
export * from './frame';
export * from './mls';
export * from './keyring';
