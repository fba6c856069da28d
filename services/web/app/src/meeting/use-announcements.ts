import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { announce, clearAnnouncements } from './announcer';

/** Says who joined and who left the encrypted group (by the name in their credential), through the announcer. */
export function useMembershipAnnouncements(meeting: Meeting): void {
  const { t } = useTranslation();
  useEffect(() => {
    const off = meeting.on('membership', (changes) => {
      for (const change of changes) {
        if (change.participantId === meeting.self?.participantId) continue;
        announce(
          t(change.kind === 'joined' ? 'announce.joined' : 'announce.left', { name: change.displayName }),
        );
      }
    });
    return () => {
      off();
      clearAnnouncements();
    };
  }, [meeting, t]);
}
