import { Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { hrefOf } from '../router';
import { useSession } from '../session';

/** The privacy notice (from docs/privacy.md): what is processed, why, for how long, who sees it. */
export function Privacy() {
  const { t } = useTranslation();
  const session = useSession();
  const sections: { title: string; items: string[]; intro?: string }[] = [
    { title: 'privacy.neverTitle', items: ['privacy.neverContent', 'privacy.neverChat', 'privacy.neverIp'] },
    {
      title: 'privacy.dataTitle',
      intro: 'privacy.dataIntro',
      items: ['privacy.dataMeetings', 'privacy.dataAudit', 'privacy.dataProfiles'],
    },
    {
      title: 'privacy.whoTitle',
      items: ['privacy.whoWaiting', 'privacy.whoParticipants', 'privacy.whoOrganisers'],
    },
    { title: 'privacy.devicesTitle', items: ['privacy.devices'] },
    { title: 'privacy.transfersTitle', items: ['privacy.transfers'] },
  ];
  return (
    <article className="card prose" aria-labelledby="privacy-title">
      <h1 id="privacy-title" tabIndex={-1}>
        {t('privacy.title')}
      </h1>
      <p>{t('privacy.intro')}</p>
      {sections.map((section) => (
        <section key={section.title} aria-labelledby={section.title}>
          <h2 id={section.title}>{t(section.title)}</h2>
          {section.intro !== undefined && <p>{t(section.intro)}</p>}
          <ul>
            {section.items.map((item) => (
              <li key={item}>{t(item)}</li>
            ))}
          </ul>
        </section>
      ))}
      <p>
        <Link href={hrefOf(session.status === 'signed-in' ? 'meetings' : 'sign-in')}>
          {t('privacy.back')}
        </Link>
      </p>
    </article>
  );
}
