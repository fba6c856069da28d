/**
 * The `external_senders` GroupContext extension as RFC 9420 §12.1.8.1 defines it, at our seam with ts-mls.
 *
 *     struct { SignaturePublicKey signature_key; Credential credential; } ExternalSender;
 *     ExternalSender external_senders<V>;
 *
 * ts-mls 1.6.4 writes and reads the extension data as ONE ExternalSender, without the vector's length prefix, so
 * no other implementation (OpenMLS, MLSpp, …) can join a group it creates, nor can it join theirs. We write the
 * RFC form and never let ts-mls decode it: the three places where ts-mls would (group creation, the signature
 * check of an external proposal, the signing of one) go through the functions below instead, which mirror the
 * library's own code with the RFC decoding. Everything else in ts-mls treats the extension as opaque bytes (the
 * GroupContext encoding, hence the key schedule, the transcript and the Welcome's GroupInfo). See
 * docs/security/e2ee.md, "Conformance".
 */
import type { ClientConfig } from 'ts-mls/clientConfig.js';
import { createGroup, processProposal, type ClientState } from 'ts-mls/clientState.js';
import { encode } from 'ts-mls/codec/tlsEncoder.js';
import { decodeVarLenType, varLenTypeEncoder } from 'ts-mls/codec/variableLength.js';
import type { Extension } from 'ts-mls/extension.js';
import { decodeExternalSender, externalSenderEncoder, type ExternalSender } from 'ts-mls/externalSender.js';
import type { IncomingMessageCallback } from 'ts-mls/incomingMessageAction.js';
import type { KeyPackage, PrivateKeyPackage } from 'ts-mls/keyPackage.js';
import type { MLSMessage } from 'ts-mls/message.js';
import { protectExternalProposalPublic, unprotectPublicMessage } from 'ts-mls/messageProtectionPublic.js';
import { ValidationError } from 'ts-mls/mlsError.js';
import type { NewStateWithActionTaken } from 'ts-mls/processMessages.js';
import type { Proposal } from 'ts-mls/proposal.js';
import type { PublicMessage } from 'ts-mls/publicMessage.js';
import type { CiphersuiteImpl } from './ts-mls-crypto';

export type { ExternalSender };

const encodeSenderVector = encode(varLenTypeEncoder(externalSenderEncoder));
const decodeSenderVector = decodeVarLenType(decodeExternalSender);

/** RFC 9420 §12.1.8.1 `ExternalSender external_senders<V>`: the extension data for `senders`. */
export function encodeExternalSenders(senders: readonly ExternalSender[]): Uint8Array {
  return encodeSenderVector([...senders]);
}

/** The senders of RFC 9420 §12.1.8.1 extension data, or undefined unless `data` is exactly one such vector. */
export function decodeExternalSenders(data: Uint8Array): ExternalSender[] | undefined {
  let decoded: [ExternalSender[], number] | undefined;
  try {
    decoded = decodeSenderVector(data, 0);
  } catch {
    return undefined; // ts-mls's decoders can throw (not only return undefined) on bytes they do not expect
  }
  if (decoded === undefined || decoded[1] !== data.length) return undefined;
  return decoded[0];
}

/** The `external_senders` extension (type 5, RFC 9420 §17.3) naming `senders`, in this order. */
export function externalSendersExtension(senders: readonly ExternalSender[]): Extension {
  return { extensionType: 'external_senders', extensionData: encodeExternalSenders(senders) };
}

/**
 * The external senders a GroupContext names: [] without the extension; undefined if its data is not the RFC
 * vector or if the extension appears twice (ambiguous sender indices: refused rather than guessed).
 */
export function externalSendersOf(extensions: readonly Extension[]): ExternalSender[] | undefined {
  const found = extensions.filter((e) => e.extensionType === 'external_senders');
  if (found.length === 0) return [];
  if (found.length > 1) return undefined;
  return decodeExternalSenders(found[0].extensionData);
}

/**
 * ts-mls `createGroup` with an RFC 9420 `external_senders` extension naming `senders`. Like ts-mls, every
 * sender's credential goes through the client's Authentication Service first. The library is given no
 * extension (it would decode ours as its single-sender form and fail), and the extension is set on the epoch-0
 * GroupContext it returns: at creation that context enters no derived value (RFC 9420 §11: the epoch secret is
 * random, the tree hash covers the tree alone, the transcript hashes are empty); it is first hashed into the key
 * schedule and the Welcome's GroupInfo by the next commit, which copies it.
 */
export async function createGroupNamingExternalSenders(options: {
  readonly groupId: Uint8Array;
  readonly keyPackage: KeyPackage;
  readonly privateKeys: PrivateKeyPackage;
  readonly externalSenders: readonly ExternalSender[];
  readonly cs: CiphersuiteImpl;
  readonly config: ClientConfig;
}): Promise<ClientState> {
  for (const sender of options.externalSenders) {
    if (
      !(await options.config.authService.validateCredential(sender.credential, sender.signaturePublicKey))
    ) {
      throw new ValidationError('Could not validate external credential');
    }
  }
  const state = await createGroup(
    options.groupId,
    options.keyPackage,
    options.privateKeys,
    [],
    options.cs,
    options.config,
  );
  const extensions = [externalSendersExtension(options.externalSenders)];
  return { ...state, groupContext: { ...state.groupContext, extensions } };
}

/**
 * ts-mls `processPublicMessage` for an external sender's proposal, with the sender's key read from the RFC
 * 9420 vector at `sender_index` (§6: an external sender is identified by its index in `external_senders`). The
 * rest is the library's code path: signature check (§6.1; an external sender's FramedContentTBS carries no
 * GroupContext), the application's policy callback, then the proposal kept by reference for the next commit.
 */
export async function processExternalProposal(
  state: ClientState,
  message: PublicMessage,
  cs: CiphersuiteImpl,
  callback: IncomingMessageCallback,
): Promise<NewStateWithActionTaken> {
  const { content } = message;
  if (content.sender.senderType !== 'external' || content.contentType !== 'proposal') {
    throw new ValidationError('Not a proposal of an external sender');
  }
  if (content.epoch < state.groupContext.epoch)
    throw new ValidationError('Cannot process message, epoch too old');
  const senders = externalSendersOf(state.groupContext.extensions);
  if (senders === undefined) throw new ValidationError('Could not decode external_senders');
  const sender = senders[content.sender.senderIndex];
  if (sender === undefined) throw new ValidationError('No external sender at this sender_index');
  const verified = await unprotectPublicMessage(
    state.keySchedule.membershipKey,
    state.groupContext,
    state.ratchetTree,
    message,
    cs,
    sender.signaturePublicKey,
  );
  if (verified.content.contentType !== 'proposal') throw new ValidationError('Not a proposal');
  const proposal = verified.content.proposal;
  const action = callback({ kind: 'proposal', proposal: { proposal, senderLeafIndex: undefined } });
  if (action === 'reject') return { newState: state, actionTaken: action, consumed: [] };
  return {
    newState: await processProposal(state, verified, proposal, cs.hash),
    actionTaken: action,
    consumed: [],
  };
}

/**
 * A proposal signed by external sender `senderIndex` (RFC 9420 §12.1.8), as a PublicMessage MLSMessage. Its
 * signature covers neither the tree nor the GroupContext (§6.1), so only the group id and epoch are needed.
 */
export async function signExternalProposal(options: {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly senderIndex: number;
  readonly proposal: Proposal;
  readonly signaturePrivateKey: Uint8Array;
  readonly cs: CiphersuiteImpl;
}): Promise<MLSMessage> {
  const { publicMessage } = await protectExternalProposalPublic(
    options.signaturePrivateKey,
    {
      version: 'mls10',
      cipherSuite: options.cs.name,
      groupId: options.groupId,
      epoch: options.epoch,
      treeHash: new Uint8Array(0),
      confirmedTranscriptHash: new Uint8Array(0),
      extensions: [],
    },
    new Uint8Array(0),
    options.proposal,
    { senderType: 'external', senderIndex: options.senderIndex },
    options.cs,
  );
  return { wireformat: 'mls_public_message', version: 'mls10', publicMessage };
}
