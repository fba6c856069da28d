import { Button, ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useStore } from '../store';
import { useLobbyContext, type LobbyContextValue } from './lobby-context';
import { lobbySoundStore, setLobbySound } from './lobby-sound';
import { useLobby } from './use-lobby';

/** The toolbar toggle "Lobby (N)" of organisers, with the number of people waiting as a badge. */
export function LobbyToggle() {
  const context = useLobbyContext();
  return context === undefined ? null : <LobbyToggleButton context={context} />;
}

function LobbyToggleButton({ context }: { context: LobbyContextValue }) {
  const { t } = useTranslation();
  const feed = useStore(context.feed.store);
  const open = useStore(context.panelOpen);
  if (!feed.organiser) return null;
  const count = feed.waiting.length;
  return (
    <ToggleButton
      className="button secondary toggle lobby-toggle"
      isSelected={open}
      onChange={(on) => context.panelOpen.set(on)}
    >
      {t('waitingRoom.panel.title')}{' '}
      <span className={count > 0 ? 'lobby-count waiting' : 'lobby-count'}>({count})</span>
    </ToggleButton>
  );
}

/**
 * The organiser's lobby panel (in the side-panel slot): who waits, Admit / Refuse each or all. Arrivals are
 * announced through the meeting's live region, with a chime, even while the panel is closed.
 */
export function LobbyPanel() {
  const context = useLobbyContext();
  return context === undefined ? null : <LobbyPanelBody context={context} />;
}

function LobbyPanelBody({ context }: { context: LobbyContextValue }) {
  const { t } = useTranslation();
  const lobby = useLobby(context.feed);
  const open = useStore(context.panelOpen);
  const sound = useStore(lobbySoundStore);
  if (!lobby.organiser) return null;
  return (
    <>
      {open && (
        <section aria-labelledby="lobby-panel-title" className="panel lobby-panel">
          <h2 id="lobby-panel-title">{t('waitingRoom.panel.title')}</h2>
          {lobby.waiting.length === 0 ? (
            <p>{t('waitingRoom.panel.empty')}</p>
          ) : (
            <>
              <ul className="lobby-list">
                {lobby.waiting.map((entry) => (
                  <li key={entry.participantId}>
                    <span className="lobby-name">{entry.name}</span>
                    <Button
                      className="button primary"
                      isDisabled={lobby.busy}
                      aria-label={t('waitingRoom.panel.admitName', { name: entry.name })}
                      onPress={() => lobby.admit({ participantIds: [entry.participantId] })}
                    >
                      {t('waitingRoom.panel.admit')}
                    </Button>
                    <Button
                      className="button secondary"
                      isDisabled={lobby.busy}
                      aria-label={t('waitingRoom.panel.refuseName', { name: entry.name })}
                      onPress={() => lobby.refuse({ participantIds: [entry.participantId] })}
                    >
                      {t('waitingRoom.panel.refuse')}
                    </Button>
                  </li>
                ))}
              </ul>
              <div className="lobby-all">
                <Button
                  className="button primary"
                  isDisabled={lobby.busy}
                  onPress={() => lobby.admit({ all: true })}
                >
                  {t('waitingRoom.panel.admitAll')}
                </Button>
                <Button
                  className="button secondary"
                  isDisabled={lobby.busy}
                  onPress={() => lobby.refuse({ all: true })}
                >
                  {t('waitingRoom.panel.refuseAll')}
                </Button>
              </div>
            </>
          )}
          <div role="alert" className="error">
            {lobby.failed && t('waitingRoom.panel.failed')}
          </div>
          <ToggleButton className="button secondary toggle" isSelected={sound} onChange={setLobbySound}>
            {t('waitingRoom.panel.sound')}
          </ToggleButton>
        </section>
      )}
    </>
  );
}
