export { loadSfuConfig, parseSfuConfig, sfuConfigSchema, type SfuConfig, type SfuConfigInput } from './config';
export { SfuServer, SIGNALLING_PATH, type SfuServerDeps } from './sfu-server';
export { ROUTER_MEDIA_CODECS } from './media/media-codecs';
export type { MlsDeliveryAdapter } from './e2ee/e2ee-relay';
