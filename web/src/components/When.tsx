// Dates and times in the user's time zone with the zone shown; deadlines as a countdown.
import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { useT } from '../i18n';

export function When({ at, dateOnly }: { at: string | null | undefined; dateOnly?: boolean }) {
  const intl = useIntl();
  if (!at) return <span>—</span>;
  const d = new Date(at);
  const text = dateOnly
    ? intl.formatDate(d, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
    : intl.formatDate(d, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  return <time dateTime={at}>{text}</time>;
}

function useNow(everyMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}

/** "in 2 d 5 h" or "overdue by 3 h", ticking every minute. */
export function Countdown({ at }: { at: string }) {
  const { t } = useT();
  const now = useNow(60_000);
  const ms = new Date(at).getTime() - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const span = days > 0 ? t('time.daysHours', { days, hours }) : t('time.hoursMinutes', { hours, minutes });
  return <span className={ms < 0 ? 'overdue' : 'due'}>{ms < 0 ? t('time.overdueBy', { span }) : t('time.dueIn', { span })}</span>;
}
