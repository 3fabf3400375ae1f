// An inbox: the tasks the workflows sent to the caller's agency (or, for caseworkers and supervisors,
// to their office), overdue first, then by escalation level and due time. Claim, complete with the
// form of the task's type (from the API's schema), or reject with a reason. Only the need-to-know
// fields the task carries are shown.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { type Task, ApiError, api, idempotencyKey, ok } from '../api/client';
import { useForms } from '../api/forms';
import { useSession } from '../auth/session';
import { Problem } from '../components/Problem';
import { SchemaForm } from '../components/SchemaForm';
import { Countdown, When } from '../components/When';
import { useT } from '../i18n';

const urgency = (a: Task, b: Task) =>
  Number(b.overdue) - Number(a.overdue) || b.escalationLevel - a.escalationLevel || a.dueAt.localeCompare(b.dueAt);

function Value({ v }: { v: unknown }) {
  const { tx } = useT();
  if (v === null || v === undefined) return <>—</>;
  if (Array.isArray(v)) return <>{v.map((x) => (typeof x === 'object' ? Object.values(x as object).join(' ') : String(x))).join('; ')}</>;
  if (typeof v === 'object') return <>{Object.entries(v as object).map(([k, x]) => `${tx('field', k)}: ${String(x)}`).join(', ')}</>;
  if (typeof v === 'boolean') return <>{tx('yes', String(v))}</>;
  return <>{String(v)}</>;
}

function TaskCard({ task }: { task: Task }) {
  const { t, tx } = useT();
  const { claims } = useSession();
  const forms = useForms();
  const queries = useQueryClient();
  const id = useId();
  const [mode, setMode] = useState<'complete' | 'reject' | null>(null);
  const [reason, setReason] = useState('');
  const refresh = () => void queries.invalidateQueries({ queryKey: ['tasks'] });
  const header = { 'Idempotency-Key': idempotencyKey() } as never;
  const path = { id: task.id };
  const claim = useMutation({ mutationFn: () => ok(api.POST('/v1/tasks/{id}/claim', { params: { path, header } })), onSuccess: refresh });
  const unclaim = useMutation({ mutationFn: () => ok(api.POST('/v1/tasks/{id}/unclaim', { params: { path, header } })), onSuccess: refresh });
  const complete = useMutation({
    mutationFn: (result: Record<string, unknown>) => ok(api.POST('/v1/tasks/{id}/complete', { params: { path, header }, body: { result } as never })),
    onSuccess: refresh,
  });
  const reject = useMutation({
    mutationFn: () => ok(api.POST('/v1/tasks/{id}/reject', { params: { path, header }, body: { reason } as never })),
    onSuccess: refresh,
  });
  const mine = task.status === 'claimed' && task.claimedBy === claims?.sub;
  const schema = forms.data?.taskResult(task.type);
  const error = claim.error ?? unclaim.error ?? (complete.error instanceof ApiError && complete.error.code === 'validation_failed' ? null : complete.error) ?? reject.error;
  const rejectErrors = reject.error instanceof ApiError ? reject.error.fields : {};
  const submitReject = (e: FormEvent) => {
    e.preventDefault();
    reject.mutate();
  };
  const canOpenCase = claims?.role === 'caseworker' || claims?.role === 'supervisor';
  return (
    <li className={`task card${task.overdue ? ' overdue-card' : ''}`} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        {tx('task', task.type)} · {canOpenCase ? <Link to={`/cases/${task.caseId}`}>{task.caseReference}</Link> : task.caseReference}
      </h2>
      <p>
        <span className={`badge priority-${task.priority}`}>{tx('enum', task.priority)}</span> {tx('enum', task.status)}
        {task.claimedBy ? ` (${task.claimedBy})` : ''} · {t('inbox.due')} <When at={task.dueAt} /> · <Countdown at={task.dueAt} />{' '}
        <span className={`badge${task.escalationLevel ? ' warn' : ''}`}>{t('inbox.escalation', { level: task.escalationLevel })}</span>
      </p>
      <dl className="need-to-know">
        {Object.entries(task.input).map(([k, v]) => (
          <div key={k}>
            <dt>{tx('field', k)}</dt>
            <dd>
              <Value v={v} />
            </dd>
          </div>
        ))}
      </dl>
      <Problem error={error} />
      <div className="action-buttons">
        {task.status === 'open' ? (
          <button type="button" onClick={() => claim.mutate()} disabled={claim.isPending}>
            {t('inbox.claim')}
          </button>
        ) : null}
        {mine ? (
          <>
            <button type="button" aria-pressed={mode === 'complete'} onClick={() => setMode('complete')}>
              {t('inbox.complete')}
            </button>
            <button type="button" onClick={() => unclaim.mutate()} disabled={unclaim.isPending}>
              {t('inbox.unclaim')}
            </button>
          </>
        ) : null}
        {task.status === 'open' || mine ? (
          <button type="button" aria-pressed={mode === 'reject'} onClick={() => setMode('reject')}>
            {t('inbox.reject')}
          </button>
        ) : null}
      </div>
      {mode === 'complete' && mine && schema ? (
        <SchemaForm
          name={task.type}
          schema={schema}
          submitLabel={t('inbox.completeSubmit')}
          errorPrefix="result."
          fieldErrors={complete.error instanceof ApiError ? complete.error.fields : undefined}
          busy={complete.isPending}
          onSubmit={(result) => complete.mutate(result)}
        />
      ) : null}
      {mode === 'reject' ? (
        <form onSubmit={submitReject} aria-label={t('inbox.reject')}>
          <div className="field">
            <label htmlFor={`${id}-reason`}>{t('inbox.reason')}</label>
            <textarea
              id={`${id}-reason`}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={rejectErrors.reason ? true : undefined}
              aria-describedby={rejectErrors.reason ? `${id}-reason-error` : undefined}
            />
            {rejectErrors.reason ? (
              <span id={`${id}-reason-error`} className="field-error">
                {rejectErrors.reason}
              </span>
            ) : null}
          </div>
          <button type="submit" disabled={reject.isPending}>
            {t('inbox.rejectSubmit')}
          </button>
        </form>
      ) : null}
    </li>
  );
}

export function Inbox() {
  const { t } = useT();
  const { claims } = useSession();
  const list = (status: 'open' | 'claimed') =>
    ({ queryKey: ['tasks', status], refetchInterval: 15_000, queryFn: () => ok(api.GET('/v1/tasks', { params: { query: { status, limit: 200 } as never } })) }) as const;
  const open = useQuery(list('open'));
  const claimed = useQuery(list('claimed'));
  // A task claimed a moment ago may still be in the open list until it refreshes: the claimed copy wins.
  const byId = new Map<string, Task>();
  for (const task of [...(open.data?.items ?? []), ...(claimed.data?.items ?? [])]) byId.set(task.id, task);
  const tasks = [...byId.values()].filter((task) => task.status === 'open' || task.status === 'claimed').sort(urgency);
  return (
    <section>
      <h1>{claims?.role === 'agency_officer' ? t('inbox.title', { agency: claims.agency ?? '' }) : t('inbox.titleOffice')}</h1>
      <Problem error={open.error ?? claimed.error} />
      {open.isPending || claimed.isPending ? <p>{t('common.loading')}</p> : null}
      {!open.isPending && !claimed.isPending && tasks.length === 0 ? <p>{t('inbox.empty')}</p> : null}
      <p className="sr-only" aria-live="polite">
        {t('inbox.count', { count: tasks.length })}
      </p>
      <ul className="tasks">
        {tasks.map((task) => (
          <TaskCard key={task.id} task={task} />
        ))}
      </ul>
    </section>
  );
}
