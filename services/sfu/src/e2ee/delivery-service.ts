import { MLS_SUITES, TsMlsEngine, type MlsDeliveryService, type MlsSuite } from '@conclave/e2ee';

/** The SFU's MLS delivery services, one per suite a room may use. */
export type DeliveryServices = ReadonlyMap<MlsSuite, MlsDeliveryService>;

/**
 * One MLS delivery service per suite, each with a fresh external-sender signature key for this process
 * (RFC 9420 §12.1.8.1), never written anywhere. Groups created under a previous process's keys re-form after a
 * restart.
 */
export async function createDeliveryServices(): Promise<DeliveryServices> {
  const engine = new TsMlsEngine();
  const entries = await Promise.all(
    MLS_SUITES.map(async (suite) => [suite, await engine.createDeliveryService({ suite })] as const),
  );
  return new Map(entries);
}
