export * from './errors';
export * from './rights';
export * from './e2ee-suite';
export * from './ticket';
export * from './signalling';
export * from './auth';
export * from './rooms';
export * from './sfu-internal';
