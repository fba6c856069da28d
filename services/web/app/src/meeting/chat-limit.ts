/**
 * The longest chat message, in characters (Unicode code points). The SFU relays MLS application messages of at
 * most `e2ee.chat.maxMessageBytes` (16 384 bytes by default, its lowest allowed value 1 024 aside): 3 000 code
 * points are at most 12 000 bytes of UTF-8, which leaves room for the MLS framing, padding and signature
 * (RFC 9420 §6.3.1; the post-quantum suite's signatures included) under the default.
 */
export const CHAT_MAX_CHARACTERS = 3000;

/** Why a message cannot be sent, or which interface string says why the SFU refused it. */
export type ChatRefusal = 'too-long' | 'rate-limited' | 'not-allowed' | 'not-ready' | 'not-sent';

/** Checks a message before it is sent: undefined when it can go (blank messages are simply not sent). */
export function checkChatMessage(text: string): ChatRefusal | undefined {
  return [...text].length > CHAT_MAX_CHARACTERS ? 'too-long' : undefined;
}

/** The refusal to show for an error from `Meeting.sendChat` (the SFU's stable codes, else a generic one). */
export function chatRefusalOf(error: unknown): ChatRefusal {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'message_too_large') return 'too-long';
  if (code === 'rate_limited') return 'rate-limited';
  if (code === 'right_missing') return 'not-allowed';
  if (error instanceof Error && /not in the (meeting|encrypted group)/.test(error.message))
    return 'not-ready';
  return 'not-sent';
}
