import { Button, ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { participantState } from './encryption-status';
import { LockIcon } from './lock-icon';
import { closePanel } from './panel-focus';
import { displayNameOf, type MeetingView } from './use-meeting-view';
import type { SecurityView } from './use-security';

/**
 * What the encryption protects, now: the suite in words, the epoch, the members, the safety code to compare
 * aloud, the person's "verified" mark (reset, and said so, when someone joins), and each participant's media
 * state. Nothing here can turn end-to-end encryption off.
 */
export function SecurityPanel(props: {
  view: MeetingView;
  security: SecurityView;
  onClose: (open: false) => void;
}) {
  const { t } = useTranslation();
  const { view, security } = props;
  const { mark } = security;
  const unknown = t('security.unknown');
  return (
    <section className="panel security-panel" id="security-panel" aria-labelledby="security-title">
      <div className="panel-head">
        <h2 id="security-title">{t('security.title')}</h2>
        <Button className="button secondary" onPress={() => closePanel(props.onClose, 'security-toggle')}>
          {t('security.close')}
        </Button>
      </div>
      <p className={`encryption ${view.status}`}>
        <LockIcon open={view.status === 'failed'} /> {t(`security.status.${view.status}`)}
      </p>
      <dl className="facts">
        <dt>{t('security.suite')}</dt>
        <dd>{security.suite !== undefined ? t(`security.suites.${security.suite}`) : unknown}</dd>
        <dt>{t('security.epoch')}</dt>
        <dd>{security.epoch !== undefined ? security.epoch.toString() : unknown}</dd>
        <dt>{t('security.members')}</dt>
        <dd>{security.memberCount ?? unknown}</dd>
      </dl>
      <section className="safety-code-block" aria-labelledby="safety-code-title">
        <h3 id="safety-code-title">{t('security.safetyCode')}</h3>
        <p className="safety-code">{view.safetyCode ?? t('meeting.encryption.waiting')}</p>
        <p className="hint">{t('security.safetyCodeHelp')}</p>
      </section>
      <ToggleButton
        className="button secondary toggle"
        isSelected={mark.verified}
        isDisabled={view.safetyCode === undefined || mark.members === undefined}
        onChange={security.setVerified}
      >
        {t('security.verified')}
      </ToggleButton>
      <p className="notice verified-note">
        {mark.verified ? t('security.verifiedYes') : mark.reset ? t('security.verifiedReset') : ''}
      </p>
      <h3 id="media-states-title">{t('security.people')}</h3>
      {view.remoteIds.length === 0 ? (
        <p>{t('security.noOne')}</p>
      ) : (
        <ul className="media-states" aria-labelledby="media-states-title">
          {view.remoteIds.map((id) => {
            const state = participantState(id, view.safetyCode !== undefined, view.states, view.members);
            return (
              <li key={id} className={`e2ee-state ${state}`}>
                {t('security.personState', {
                  name: displayNameOf(view.people, id) ?? t('meeting.someone'),
                  state: t(`security.state.${state}`),
                })}
              </li>
            );
          })}
        </ul>
      )}
      <p className="hint">{t('security.alwaysOn')}</p>
    </section>
  );
}
