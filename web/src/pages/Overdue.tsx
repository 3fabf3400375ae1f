// The overdue list: the office's open cases with a deadline passed, and the tasks past their due time.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import { Problem } from '../components/Problem';
import { Countdown } from '../components/When';
import { useT } from '../i18n';

export function Overdue() {
  const { t, tx } = useT();
  const cases = useQuery({ queryKey: ['cases', 'overdue'], queryFn: () => ok(api.GET('/v1/cases', { params: { query: { overdue: 'true', status: 'open', limit: 200 } as never } })) });
  const tasks = useQuery({ queryKey: ['tasks', 'overdue'], queryFn: () => ok(api.GET('/v1/tasks', { params: { query: { overdue: 'true', limit: 200 } as never } })) });
  const openTasks = (tasks.data?.items ?? []).filter((x) => x.status === 'open' || x.status === 'claimed').sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  return (
    <section>
      <h1>{t('overdue.title')}</h1>
      <Problem error={cases.error ?? tasks.error} />
      <h2>{t('overdue.cases')}</h2>
      <table className="list">
        <thead>
          <tr>
            <th scope="col">{t('case.reference')}</th>
            <th scope="col">{t('case.person')}</th>
            <th scope="col">{t('case.stage')}</th>
            <th scope="col">{t('case.nextDeadline')}</th>
          </tr>
        </thead>
        <tbody>
          {(cases.data?.items ?? []).map((c) => (
            <tr key={c.id}>
              <td>
                <Link to={`/cases/${c.id}`}>{c.reference}</Link>
              </td>
              <td>{c.person.fullName}</td>
              <td>{tx('stage', c.stage)}</td>
              <td>{c.nextDeadline ? <Countdown at={c.nextDeadline.at} /> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cases.data?.items.length === 0 ? <p>{t('overdue.none')}</p> : null}
      <h2>{t('overdue.tasks')}</h2>
      <table className="list">
        <thead>
          <tr>
            <th scope="col">{t('overdue.task')}</th>
            <th scope="col">{t('case.reference')}</th>
            <th scope="col">{t('overdue.holder')}</th>
            <th scope="col">{t('inbox.due')}</th>
            <th scope="col">{t('overdue.level')}</th>
          </tr>
        </thead>
        <tbody>
          {openTasks.map((x) => (
            <tr key={x.id}>
              <td>{tx('task', x.type)}</td>
              <td>
                <Link to={`/cases/${x.caseId}`}>{x.caseReference}</Link>
              </td>
              <td>{x.agencyId ?? tx('audience', x.audience)}</td>
              <td>
                <Countdown at={x.dueAt} />
              </td>
              <td>{x.escalationLevel}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {tasks.data && openTasks.length === 0 ? <p>{t('overdue.none')}</p> : null}
    </section>
  );
}
