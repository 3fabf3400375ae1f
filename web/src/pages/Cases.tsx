// Caseworker lists: my cases (assigned to me) and my office's cases, with the filters of
// GET /v1/cases kept in the URL (a filtered list can be bookmarked or sent to a colleague).
// Pages of 200 rows (the API's largest), more on demand. 200 rows are rendered as a plain table, not
// virtualised: every row stays in the tab order and in the accessibility tree, and bench/console.ts
// measures what they cost against a bare HTML table of the same rows.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, ok } from '../api/client';
import { useSession } from '../auth/session';
import { Problem } from '../components/Problem';
import { Countdown } from '../components/When';
import { useT } from '../i18n';

export const STAGES = ['locating', 'extraction', 'consular_contact', 'return', 'exit_restriction_check', 'employment_assistance', 'closed'] as const;
const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
const FILTERS = ['stage', 'priority', 'status', 'overdue', 'onHold', 'q', 'operationId'] as const;

export function Cases() {
  const { t, tx } = useT();
  const { claims } = useSession();
  const id = useId();
  const [params, setParams] = useSearchParams();
  const mine = params.get('scope') === 'mine';
  const [q, setQ] = useState(params.get('q') ?? '');
  const query: Record<string, string> = {};
  for (const f of FILTERS) {
    const v = params.get(f);
    if (v) query[f] = v;
  }
  if (mine && claims) query.assignee = claims.sub;

  const list = useInfiniteQuery({
    queryKey: ['cases', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => ok(api.GET('/v1/cases', { params: { query: { ...query, limit: 200, sort: '-createdAt', ...(pageParam ? { cursor: pageParam } : {}) } as never } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter('q', q.trim());
  };
  const select = (name: string, options: readonly string[], prefix: string) => (
    <div className="field inline">
      <label htmlFor={`${id}-${name}`}>{t(`cases.filter.${name}`)}</label>
      <select id={`${id}-${name}`} value={params.get(name) ?? ''} onChange={(e) => setFilter(name, e.target.value)}>
        <option value="">{t('cases.filter.any')}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {tx(prefix, o)}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <section>
      <h1>{mine ? t('cases.mine.title') : t('cases.office.title', { office: claims?.office ?? '' })}</h1>
      <div className="filters" role="search" aria-label={t('cases.filters')}>
        <form onSubmit={search} className="field inline">
          <label htmlFor={`${id}-q`}>{t('cases.filter.q')}</label>
          <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          <button type="submit">{t('cases.search')}</button>
        </form>
        {select('stage', STAGES, 'stage')}
        {select('priority', PRIORITIES, 'enum')}
        {select('status', ['open', 'closed'], 'enum')}
        {select('overdue', ['true'], 'yes')}
        {select('onHold', ['true', 'false'], 'yes')}
      </div>
      <Problem error={list.error} />
      <table className="list">
        <caption className="sr-only">{t('cases.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('case.reference')}</th>
            <th scope="col">{t('case.person')}</th>
            <th scope="col">{t('case.stage')}</th>
            <th scope="col">{t('case.priority')}</th>
            <th scope="col">{t('case.nextDeadline')}</th>
            <th scope="col">{t('case.assignee')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} className={c.overdue ? 'row-overdue' : undefined}>
              <td>
                <Link to={`/cases/${c.id}`}>{c.reference}</Link>
              </td>
              <td>{c.person.fullName}</td>
              <td>
                {tx('stage', c.stage)}
                {c.onHold ? <span className="badge">{t('case.onHold')}</span> : null}
              </td>
              <td>
                <span className={`badge priority-${c.priority}`}>{tx('enum', c.priority)}</span>
              </td>
              <td>{c.nextDeadline ? <Countdown at={c.nextDeadline.at} /> : '—'}</td>
              <td>{c.assignee ?? t('case.unassigned')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.isPending ? <p>{t('common.loading')}</p> : null}
      {!list.isPending && rows.length === 0 ? <p>{t('cases.empty')}</p> : null}
      {list.hasNextPage ? (
        <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {t('common.more')}
        </button>
      ) : null}
    </section>
  );
}
