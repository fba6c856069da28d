export {
  loadSfuConfig,
  parseSfuConfig,
  sfuConfigSchema,
  type SfuConfig,
  type SfuConfigInput,
} from './config';
export { SfuServer, SIGNALLING_PATH, type SfuServerDeps } from './sfu-server';
export { ROUTER_MEDIA_CODECS } from './media/media-codecs';
export { createDeliveryServices, type DeliveryServices } from './e2ee/delivery-service';
