import { useCallback, useEffect, useState } from 'react';
import type { ParticipantEvent } from '@conclave/protocol';
import { roomsClient } from '../session';

/** How often the client collects requests addressed to it (a push stream from room control replaces this). */
const POLL_MS = 2000;

/**
 * Requests an organiser addressed to this participant session (today: "please unmute"), read from room
 * control; the oldest one still pending, and a way to dismiss it. Nothing here acts on the media.
 */
export function useParticipantRequests(
  meetingId: string | undefined,
  participantId: string | undefined,
): { request: ParticipantEvent | undefined; dismiss: () => void } {
  const [pending, setPending] = useState<ParticipantEvent[]>([]);

  useEffect(() => {
    if (meetingId === undefined || participantId === undefined) return;
    let current = true;
    const poll = () =>
      roomsClient.participantEvents(meetingId, participantId).then(
        (events) => {
          if (current && events.length > 0) setPending((list) => [...list, ...events].slice(-5));
        },
        () => undefined,
      );
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [meetingId, participantId]);

  const dismiss = useCallback(() => setPending([]), []);
  return { request: pending[0], dismiss };
}
