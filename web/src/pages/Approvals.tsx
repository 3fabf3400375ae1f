// A supervisor's approvals queue: closures and transfers between offices waiting for a decision,
// each decided with an optional comment. The API refuses a decision by the person who requested it
// (four eyes).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { type Approval, api, idempotencyKey, ok } from '../api/client';
import { Problem } from '../components/Problem';
import { Countdown, When } from '../components/When';
import { useT } from '../i18n';

function Decide({ a }: { a: Approval }) {
  const { t, tx } = useT();
  const id = useId();
  const queries = useQueryClient();
  const [comment, setComment] = useState('');
  const decide = useMutation({
    mutationFn: (decision: 'approved' | 'rejected') =>
      ok(
        api.POST('/v1/approvals/{id}/decision', {
          params: { path: { id: a.id }, header: { 'Idempotency-Key': idempotencyKey() } as never },
          body: { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) },
        }),
      ),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['approvals'] }),
  });
  return (
    <li className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <Link to={`/cases/${a.caseId}`}>{a.caseReference}</Link> ·{' '}
        {a.kind === 'transfer' && a.transfer
          ? t('approvals.transfer', { from: a.transfer.fromOffice, to: a.transfer.toOffice })
          : t('approvals.closure', { reason: tx('enum', a.reason) })}
      </h2>
      <p>
        {t('approvals.requestedBy', { who: a.requestedBy.sub })}
        {a.comment ? ` · “${a.comment}”` : ''} · {t('inbox.due')} <When at={a.dueAt} /> · <Countdown at={a.dueAt} />{' '}
        <span className={`badge${a.escalationLevel ? ' warn' : ''}`}>{t('inbox.escalation', { level: a.escalationLevel })}</span>
      </p>
      <div className="field">
        <label htmlFor={`${id}-comment`}>{t('approvals.comment')}</label>
        <input id={`${id}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} />
      </div>
      <Problem error={decide.error} />
      <div className="action-buttons">
        <button type="button" onClick={() => decide.mutate('approved')} disabled={decide.isPending}>
          {t('approvals.approve')}
        </button>
        <button type="button" onClick={() => decide.mutate('rejected')} disabled={decide.isPending}>
          {t('approvals.reject')}
        </button>
      </div>
    </li>
  );
}

export function Approvals() {
  const { t } = useT();
  const list = useQuery({
    queryKey: ['approvals'],
    refetchInterval: 15_000,
    queryFn: () => ok(api.GET('/v1/approvals', { params: { query: { status: 'pending', limit: 200 } as never } })),
  });
  const items = [...(list.data?.items ?? [])].sort((a, b) => b.escalationLevel - a.escalationLevel || a.dueAt.localeCompare(b.dueAt));
  return (
    <section>
      <h1>{t('approvals.title')}</h1>
      <Problem error={list.error} />
      {list.isPending ? <p>{t('common.loading')}</p> : items.length === 0 ? <p>{t('approvals.empty')}</p> : null}
      <ul className="tasks">
        {items.map((a) => (
          <Decide key={a.id} a={a} />
        ))}
      </ul>
    </section>
  );
}
