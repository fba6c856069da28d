/**
 * Conclave's membership policy on top of RFC 9420 (§12.2 lets the application add rules): membership changes
 * are decided by the delivery service, which checked the join tickets; members only commit them.
 */
import type { ClientState } from 'ts-mls/clientState.js';
import type { IncomingMessageCallback } from 'ts-mls/incomingMessageAction.js';
import { bytesEqual } from './bytes';
import { externalSendersOf } from './external-senders';

/** Index of the delivery service in the `external_senders` extension (RFC 9420 §12.1.8.1): it is alone there. */
export const DELIVERY_SERVICE_SENDER_INDEX = 0;

/**
 * ts-mls's hook on incoming proposals and commits: only Add and Remove, and only from an external sender (a
 * by-reference proposal of the delivery service); a member adding or removing someone by value is refused.
 */
export const membershipPolicy: IncomingMessageCallback = (incoming) => {
  const proposals = incoming.kind === 'commit' ? incoming.proposals : [incoming.proposal];
  const allowed = proposals.every(
    ({ proposal, senderLeafIndex }) =>
      (proposal.proposalType === 'add' || proposal.proposalType === 'remove') &&
      senderLeafIndex === undefined,
  );
  return allowed ? 'accept' : 'reject';
};

/**
 * RFC 9420 §12.1.8.1: the group's only context extension is `external_senders`, a vector holding exactly one
 * sender, the delivery service key this client was given (so sender index 0 is the delivery service).
 */
export function hasOnlyOurDeliveryService(state: ClientState, deliveryServiceKey: Uint8Array): boolean {
  const extensions = state.groupContext.extensions;
  if (extensions.length !== 1 || extensions[0].extensionType !== 'external_senders') return false;
  const senders = externalSendersOf(extensions);
  return (
    senders !== undefined &&
    senders.length === 1 &&
    bytesEqual(senders[0].signaturePublicKey, deliveryServiceKey)
  );
}
