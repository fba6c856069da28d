import { useEffect, useReducer, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { announce } from './announcer';
import { nextVerifiedMark, UNVERIFIED, type VerifiedMark } from './verified-mark';

/** What the security panel shows: the suite, the epoch, the members, and the person's verified mark. */
export interface SecurityView {
  suite: 'aes256' | 'xwing-pq' | undefined;
  epoch: bigint | undefined;
  /** Members (devices) in the encrypted group now, this one included. */
  memberCount: number | undefined;
  mark: VerifiedMark;
  setVerified(verified: boolean): void;
}

/** One key per MLS leaf: a member who rejoins has a new signature key, so it counts as new. */
function leafKey(member: { signaturePublicKey: Uint8Array }): string {
  return Array.from(member.signaturePublicKey, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function useSecurity(meeting: Meeting): SecurityView {
  const { t } = useTranslation();
  const [epoch, setEpoch] = useState<bigint | undefined>(meeting.epoch);
  const [suite, setSuite] = useState(meeting.e2eeSuite);
  const [memberCount, setMemberCount] = useState<number | undefined>();
  const [mark, dispatch] = useReducer(nextVerifiedMark, UNVERIFIED);

  useEffect(() => {
    const offs = [
      meeting.on('hello', () => setSuite(meeting.e2eeSuite)),
      meeting.on('epoch', (next, _code, members) => {
        setEpoch(next);
        setMemberCount(members.length);
        dispatch({ type: 'members', members: members.map(leafKey) });
      }),
      meeting.on('reconnecting', () => {
        setEpoch(undefined);
        setMemberCount(undefined);
        dispatch({ type: 'left-group' });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [meeting]);

  // Said once, when it happens: the mark a person gave no longer covers everyone present.
  const reset = mark.reset;
  useEffect(() => {
    if (reset) announce(t('security.verifiedReset'));
  }, [reset, t]);

  return {
    suite,
    epoch,
    memberCount,
    mark,
    setVerified: (verified) => dispatch({ type: 'mark', verified }),
  };
}
