import { useCallback, useEffect, useState } from 'react';
import type { ParticipantEvent } from '@conclave/protocol';
import { useLobbyContext } from './lobby-context';

/**
 * Requests an organiser addressed to this participant session (today: "please unmute"), pushed by room control
 * on the visit's participant stream; the oldest one still pending, and a way to dismiss it. Nothing here acts
 * on the media.
 */
export function useParticipantRequests(): { request: ParticipantEvent | undefined; dismiss: () => void } {
  const feed = useLobbyContext()?.feed;
  const [pending, setPending] = useState<ParticipantEvent[]>([]);

  useEffect(
    () =>
      feed?.on((event) => {
        if (event.type === 'unmute-requested') setPending((list) => [...list, event].slice(-5));
      }),
    [feed],
  );

  const dismiss = useCallback(() => setPending([]), []);
  return { request: pending[0], dismiss };
}
