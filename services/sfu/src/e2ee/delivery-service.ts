import { TsMlsEngine, type MlsDeliveryService, type MlsSuite } from '@conclave/e2ee';

/**
 * The SFU's MLS delivery service: a fresh external-sender signature key per process (RFC 9420 §12.1.8.1),
 * never written anywhere. Groups created under a previous process's key re-form after a restart.
 */
export function createDeliveryService(suite: MlsSuite): Promise<MlsDeliveryService> {
  return new TsMlsEngine().createDeliveryService({ suite });
}
