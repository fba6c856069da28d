import { ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useEffect, useState } from 'react';
import type { Meeting } from '@conclave/client';
import { useStore } from '../store';
import { participantsPanelOpen } from './participants-panel-state';

/** The toolbar's "Participants (N)" toggle: opens and closes the participants panel. */
export function ParticipantsToggle(props: { meeting: Meeting }) {
  const { t } = useTranslation();
  const open = useStore(participantsPanelOpen);
  const [count, setCount] = useState(() => countOf(props.meeting));
  useEffect(() => props.meeting.on('participants', () => setCount(countOf(props.meeting))), [props.meeting]);
  return (
    <ToggleButton
      id="participants-toggle"
      aria-keyshortcuts="P"
      className="button secondary toggle"
      isSelected={open}
      onChange={(on) => participantsPanelOpen.set(on)}
    >
      {t('powers.toggle', { count })}
    </ToggleButton>
  );
}

function countOf(meeting: Meeting): number {
  return Math.max(
    1,
    meeting.people().reduce((sum, person) => sum + person.participantIds.length, 0),
  );
}
