/** The MLS engine over ts-mls 1.6.4 (pinned: conformance is checked by test/mls-vectors.test.ts). */
import { TsMlsDeliveryService } from './delivery-service';
import type { MlsDeliveryService, MlsEngine, MlsMember, MlsMemberOptions } from './engine';
import { TsMlsMember } from './member';
import type { MlsSuite } from './suites';

export class TsMlsEngine implements MlsEngine {
  readonly name = 'ts-mls';

  createMember(options: MlsMemberOptions): Promise<MlsMember> {
    return TsMlsMember.create(options);
  }

  createDeliveryService(options?: { readonly suite?: MlsSuite }): Promise<MlsDeliveryService> {
    return TsMlsDeliveryService.create(options);
  }
}
