// How an API refusal reads in the console: the contract's code explained in the user's language,
// with the API's own message (and request id, for support) underneath.
import { Link } from 'react-router';
import { ApiError } from '../api/client';
import { useT } from '../i18n';

export function Problem({ error }: { error: unknown }) {
  const { t, tx } = useT();
  if (!error) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div role="alert" className="problem">
        {t('error.network')}
      </div>
    );
  }
  const details = (error.details ?? {}) as Record<string, unknown>;
  let extra = null;
  if (error.code === 'duplicate_person') {
    extra =
      typeof details.caseId === 'string' ? (
        <p>
          <Link to={`/cases/${details.caseId}`}>{t('error.duplicate.open')}</Link>
        </p>
      ) : (
        <p>{t('error.duplicate.outOfScope')}</p>
      );
  } else if (error.code === 'invalid_transition' && Array.isArray(details.allowed)) {
    extra = (
      <p>
        {t('error.invalidTransition.allowed', {
          stage: tx('stage', String(details.stage)),
          allowed: (details.allowed as string[]).map((a) => tx('action', a)).join(', ') || '—',
        })}
      </p>
    );
  } else if (error.code === 'forbidden' && details.reason === 'four_eyes') {
    extra = <p>{t('error.fourEyes')}</p>;
  }
  return (
    <div role="alert" className="problem">
      <strong>{tx('error', error.code)}</strong>
      {extra}
      <p className="api-message">{error.message}</p>
    </div>
  );
}
