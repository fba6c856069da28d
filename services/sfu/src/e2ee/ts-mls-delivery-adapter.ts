import { randomBytes } from 'node:crypto';
import type { MlsDeliveryAdapter } from './e2ee-relay';

// TEMPORARY until libs/e2ee's delivery service lands (same session).
export async function createSfuMlsAdapter(suite: string): Promise<MlsDeliveryAdapter> {
  const key = randomBytes(32);
  const unavailable = () => {
    throw new Error('MLS delivery service not wired yet');
  };
  return {
    suite,
    externalSenderKey: key,
    keyPackageIdentity: async () => unavailable(),
    proposeAdd: async () => unavailable(),
    proposeRemove: async () => unavailable(),
    inspect: () => unavailable(),
  };
}
