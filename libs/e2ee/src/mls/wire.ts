/**
 * Reading MLSMessage framing (RFC 9420 §6) without any group secret: what the delivery service may know.
 *
 * PublicMessage and PrivateMessage both carry `group_id`, `epoch` and `content_type` in the clear (§6.2, §6.3);
 * a PublicMessage also shows its sender. A Welcome shows, per recipient, the KeyPackageRef it is encrypted to
 * (§12.4.3.1). Nothing else of a PrivateMessage or Welcome is readable.
 */
import type { MLSMessage } from 'ts-mls/message.js';
import { decodeMlsMessage } from 'ts-mls/message.js';
import type { Sender } from 'ts-mls/sender.js';
import { toHex } from './bytes';
import { MlsError } from './errors';

export type MlsContentType = 'application' | 'proposal' | 'commit';

/** A PublicMessage's sender (RFC 9420 §6.1). */
export type MlsSender =
  | { readonly type: 'member'; readonly leafIndex: number }
  | { readonly type: 'external'; readonly senderIndex: number }
  | { readonly type: 'new_member_proposal' }
  | { readonly type: 'new_member_commit' };

export type MlsMessageInfo =
  | {
      readonly wireFormat: 'public_message' | 'private_message';
      readonly groupId: Uint8Array;
      readonly epoch: bigint;
      readonly contentType: MlsContentType;
      /** Known for a PublicMessage only (a PrivateMessage encrypts it, §6.3.2). */
      readonly sender?: MlsSender;
    }
  | {
      readonly wireFormat: 'welcome';
      /** KeyPackageRefs (hex) of the new members the Welcome is encrypted to. */
      readonly recipients: readonly string[];
    }
  | { readonly wireFormat: 'key_package' }
  | { readonly wireFormat: 'group_info'; readonly groupId: Uint8Array; readonly epoch: bigint };

/** Decodes `bytes` as exactly one MLSMessage; throws MlsError('invalid_message') otherwise. */
export function decodeMessage(bytes: Uint8Array): MLSMessage {
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (cause) {
    throw new MlsError('invalid_message', 'not an MLSMessage', { cause });
  }
  if (decoded === undefined) throw new MlsError('invalid_message', 'not an MLSMessage');
  if (decoded[1] !== bytes.length) throw new MlsError('invalid_message', 'bytes after the MLSMessage');
  if (decoded[0].version !== 'mls10') throw new MlsError('invalid_message', 'not MLS 1.0');
  return decoded[0];
}

/** What the framing of an MLSMessage says, read without any secret. */
export function inspectMlsMessage(bytes: Uint8Array): MlsMessageInfo {
  const message = decodeMessage(bytes);
  switch (message.wireformat) {
    case 'mls_public_message': {
      const { content } = message.publicMessage;
      return {
        wireFormat: 'public_message',
        groupId: content.groupId,
        epoch: content.epoch,
        contentType: content.contentType,
        sender: senderOf(content.sender),
      };
    }
    case 'mls_private_message': {
      const pm = message.privateMessage;
      return {
        wireFormat: 'private_message',
        groupId: pm.groupId,
        epoch: pm.epoch,
        contentType: pm.contentType,
      };
    }
    case 'mls_welcome':
      return { wireFormat: 'welcome', recipients: message.welcome.secrets.map((s) => toHex(s.newMember)) };
    case 'mls_key_package':
      return { wireFormat: 'key_package' };
    case 'mls_group_info':
      return {
        wireFormat: 'group_info',
        groupId: message.groupInfo.groupContext.groupId,
        epoch: message.groupInfo.groupContext.epoch,
      };
  }
}

function senderOf(sender: Sender): MlsSender {
  switch (sender.senderType) {
    case 'member':
      return { type: 'member', leafIndex: sender.leafIndex };
    case 'external':
      return { type: 'external', senderIndex: sender.senderIndex };
    case 'new_member_proposal':
    case 'new_member_commit':
      return { type: sender.senderType };
  }
}
