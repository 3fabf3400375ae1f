// The case page: the person, the stage and progress through the stages, the next deadline with a
// countdown, open tasks and approvals, the actions allowed now (forms built from the API's action
// schemas) and the timeline. An action carries If-Match with the version the user saw when opening
// its form; if someone changed the case meanwhile, the page says what changed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useSession } from '../auth/session';
import { type Case, type TimelineEntry, ApiError, api, idempotencyKey, ok } from '../api/client';
import { useForms } from '../api/forms';
import { Problem } from '../components/Problem';
import { SchemaForm } from '../components/SchemaForm';
import { Countdown, When } from '../components/When';
import { useT } from '../i18n';
import { STAGES } from './Cases';

function StageProgress({ c }: { c: Case }) {
  const { t, tx } = useT();
  const at = STAGES.indexOf(c.stage);
  return (
    <nav aria-label={t('case.progress')}>
      <ol className="stages">
        {STAGES.map((s, i) => (
          <li key={s} className={i < at ? 'done' : i === at ? 'current' : 'todo'} aria-current={i === at ? 'step' : undefined}>
            <span className="sr-only">{i < at ? t('case.stageDone') : i === at ? t('case.stageCurrent') : t('case.stageTodo')}: </span>
            {tx('stage', s)}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** What differs between the case the user saw and the case now, field by field. */
function changes(before: Case, now: Case): Array<[string, string, string]> {
  const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const keys = ['stage', 'status', 'onHold', 'priority', 'assignee', 'screening', 'exploitationTypes', 'consent', 'location', 'riskFlags', 'person', 'allowedActions'] as const;
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(now[k])).map((k) => [k, show(before[k]), show(now[k])]);
}

function Conflict({ seen, seenSeq, caseId, onRetry }: { seen: Case; seenSeq: number; caseId: string; onRetry(): void }) {
  const { t, tx } = useT();
  // Fetched afresh: what is cached is what the user saw.
  const now = useQuery({ queryKey: ['case', caseId], refetchOnMount: 'always', queryFn: () => ok(api.GET('/v1/cases/{id}', { params: { path: { id: caseId } } })) });
  const timeline = useQuery({
    queryKey: ['timeline', caseId],
    refetchOnMount: 'always',
    queryFn: () => ok(api.GET('/v1/cases/{id}/timeline', { params: { path: { id: caseId }, query: { limit: 200 } as never } })),
  });
  const since = (timeline.data?.items ?? []).filter((e) => e.seq > seenSeq);
  const diff = now.data ? changes(seen, now.data) : [];
  return (
    <div role="alert" className="problem conflict">
      <strong>{t('conflict.title')}</strong>
      <p>{t('conflict.versions', { seen: seen.version, now: now.data?.version ?? '…' })}</p>
      {diff.length ? (
        <table className="list">
          <caption>{t('conflict.changed')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('conflict.field')}</th>
              <th scope="col">{t('conflict.before')}</th>
              <th scope="col">{t('conflict.now')}</th>
            </tr>
          </thead>
          <tbody>
            {diff.map(([k, a, b]) => (
              <tr key={k}>
                <th scope="row">{tx('field', k)}</th>
                <td>{a}</td>
                <td>{b}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {since.length ? (
        <>
          <p>{t('conflict.since')}</p>
          <ul>
            {since.map((e) => (
              <li key={e.seq}>
                <When at={e.at} /> · {tx('event', e.type)} · {e.actor.sub}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <button type="button" onClick={onRetry}>
        {t('conflict.retry')}
      </button>
    </div>
  );
}

function Actions({ c }: { c: Case }) {
  const { t, tx } = useT();
  const forms = useForms();
  const queries = useQueryClient();
  const [open, setOpen] = useState<{ type: string; seen: Case; seenSeq: number; key: string } | null>(null);
  const act = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(
        api.POST('/v1/cases/{id}/actions', {
          params: { path: { id: c.id }, header: { 'If-Match': String(open!.seen.version), 'Idempotency-Key': idempotencyKey() } as never },
          body: { ...body, type: open!.type } as never,
        }),
      ),
    onSuccess: (updated) => {
      queries.setQueryData(['case', c.id], updated);
      void queries.invalidateQueries({ queryKey: ['timeline', c.id] });
      void queries.invalidateQueries({ queryKey: ['cases'] });
      setOpen(null);
    },
  });
  const choose = (type: string) => {
    act.reset();
    // What the user has seen: this version of the case and the timeline up to its last entry.
    const seenSeq = Math.max(0, ...((queries.getQueryData(['timeline', c.id]) as { items: TimelineEntry[] } | undefined)?.items ?? []).map((e) => e.seq));
    setOpen({ type, seen: c, seenSeq, key: idempotencyKey() });
  };
  if (!c.allowedActions.length) return null;
  const schema = open ? forms.data?.action(open.type) : undefined;
  const err = act.error instanceof ApiError ? act.error : null;
  const followUp = c.openTasks.find((task) => task.type === 'follow_up');
  return (
    <section aria-labelledby="actions-h" className="card">
      <h2 id="actions-h">{t('case.actions')}</h2>
      <div className="action-buttons">
        {c.allowedActions.map((a) => (
          <button key={a} type="button" aria-pressed={open?.type === a} onClick={() => choose(a)}>
            {tx('action', a)}
          </button>
        ))}
      </div>
      {open && schema ? (
        <div className="action-form">
          <h3>{tx('action', open.type)}</h3>
          {err?.code === 'version_mismatch' ? (
            <Conflict seen={open.seen} seenSeq={open.seenSeq} caseId={c.id} onRetry={() => choose(open.type)} />
          ) : err && err.code !== 'validation_failed' ? (
            <Problem error={err} />
          ) : null}
          <SchemaForm
            key={open.key}
            name={open.type}
            schema={schema}
            submitLabel={t('case.submitAction')}
            fieldErrors={err?.fields}
            busy={act.isPending}
            initial={open.type === 'record_follow_up' && followUp ? { taskId: followUp.id } : {}}
            onSubmit={(body) => act.mutate(body)}
          />
          <button type="button" className="link" onClick={() => setOpen(null)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** A supervisor reopens a closed case: a new case for the same person, linked both ways. */
function Reopen({ c }: { c: Case }) {
  const { t } = useT();
  const uid = useId();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [key] = useState(idempotencyKey);
  const reopen = useMutation({
    mutationFn: () =>
      ok(api.POST('/v1/cases/{id}/reopen', { params: { path: { id: c.id }, header: { 'Idempotency-Key': key } as never }, body: { reason: reason.trim() } })),
    onSuccess: (created) => {
      void queries.invalidateQueries({ queryKey: ['case', c.id] });
      void queries.invalidateQueries({ queryKey: ['cases'] });
      navigate(`/cases/${created.id}`);
    },
  });
  const fields = reopen.error instanceof ApiError ? reopen.error.fields : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    reopen.mutate();
  };
  return (
    <section aria-labelledby={`${uid}-h`} className="card">
      <h2 id={`${uid}-h`}>{t('case.reopen.title')}</h2>
      {open ? (
        <form onSubmit={submit} aria-label={t('case.reopen.title')} noValidate>
          <div className="field">
            <label htmlFor={`${uid}-reason`}>{t('case.reopen.reason')}</label>
            <textarea
              id={`${uid}-reason`}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={fields.reason ? true : undefined}
              aria-describedby={fields.reason ? `${uid}-reason-error` : undefined}
            />
            {fields.reason ? (
              <span id={`${uid}-reason-error`} className="field-error">
                {fields.reason}
              </span>
            ) : null}
          </div>
          {reopen.error && !fields.reason ? <Problem error={reopen.error} /> : null}
          <button type="submit" disabled={reopen.isPending}>
            {t('case.reopen.submit')}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          {t('case.reopen.button')}
        </button>
      )}
    </section>
  );
}

function Timeline({ id }: { id: string }) {
  const { t, tx } = useT();
  const timeline = useQuery({
    queryKey: ['timeline', id],
    queryFn: () => ok(api.GET('/v1/cases/{id}/timeline', { params: { path: { id }, query: { limit: 200 } as never } })),
  });
  const items = [...(timeline.data?.items ?? [])].reverse();
  return (
    <section aria-labelledby="timeline-h" className="card">
      <h2 id="timeline-h">{t('case.timeline')}</h2>
      <Problem error={timeline.error} />
      <ol className="timeline" reversed>
        {items.map((e) => (
          <li key={e.seq}>
            <When at={e.at} /> — <strong>{tx('event', e.type)}</strong> · {e.actor.sub} ({tx('role', e.actor.role)}) ·{' '}
            {e.type === 'stage_changed' && typeof e.data.from === 'string' && typeof e.data.to === 'string' ? (
              <span className="stage-change">
                {tx('stage', e.data.from)} → {tx('stage', e.data.to)}
              </span>
            ) : (
              tx('stage', e.stage)
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function CasePage() {
  const { id = '' } = useParams();
  const { t, tx } = useT();
  const { claims } = useSession();
  const got = useQuery({
    queryKey: ['case', id],
    queryFn: () => ok(api.GET('/v1/cases/{id}', { params: { path: { id } } })),
    // Agencies and timers move a case too: keep what is shown fresh.
    refetchInterval: 10_000,
  });
  const c = got.data;
  if (got.error) return <Problem error={got.error} />;
  if (!c) return <p>{t('common.loading')}</p>;
  const p = c.person as Record<string, unknown> & { fullName: string; documents?: Array<{ type: string; number: string; issuingCountry: string }> };
  return (
    <article className="case">
      <header className="case-head">
        <h1>
          {c.reference} · {p.fullName}
        </h1>
        <p>
          <span className="badge" data-testid="case-stage">
            {tx('stage', c.stage)}
          </span>{' '}
          <span className={`badge priority-${c.priority}`}>{tx('enum', c.priority)}</span> {c.onHold ? <span className="badge">{t('case.onHold')}</span> : null}{' '}
          {t('case.versionIs', { version: c.version })}
        </p>
      </header>
      <StageProgress c={c} />
      <div className="grid">
        <section aria-labelledby="person-h" className="card">
          <h2 id="person-h">{t('case.person')}</h2>
          <dl>
            <dt>{tx('field', 'fullName')}</dt>
            <dd>{p.fullName}</dd>
            <dt>{tx('field', 'dateOfBirth')}</dt>
            <dd>{(p.dateOfBirth as string) ?? '—'}</dd>
            <dt>{tx('field', 'sex')}</dt>
            <dd>{tx('enum', String(p.sex ?? 'unknown'))}</dd>
            <dt>{tx('field', 'nationality')}</dt>
            <dd>{String(p.nationality ?? '—')}</dd>
            <dt>{tx('field', 'documents')}</dt>
            <dd>{(p.documents ?? []).map((d) => `${tx('enum', d.type)} ${d.number} (${d.issuingCountry})`).join('; ') || '—'}</dd>
            <dt>{tx('field', 'location')}</dt>
            <dd>
              {c.location ? [c.location.country, c.location.region, c.location.site].filter(Boolean).join(', ') : '—'}
              {c.location?.confirmed ? ` (${t('case.confirmed')})` : ''}
            </dd>
            <dt>{tx('field', 'riskFlags')}</dt>
            <dd>{c.riskFlags.map((f) => tx('enum', f)).join(', ') || '—'}</dd>
            <dt>{tx('field', 'screening')}</dt>
            <dd>{tx('enum', c.screening)}</dd>
            <dt>{tx('field', 'exploitationTypes')}</dt>
            <dd>{c.exploitationTypes.map((f) => tx('enum', f)).join(', ') || '—'}</dd>
            <dt>{tx('field', 'office')}</dt>
            <dd>{c.office}</dd>
            <dt>{tx('field', 'assignee')}</dt>
            <dd>{c.assignee ?? t('case.unassigned')}</dd>
          </dl>
        </section>
        <section aria-labelledby="deadline-h" className="card">
          <h2 id="deadline-h">{t('case.nextDeadline')}</h2>
          {c.nextDeadline ? (
            <p>
              {tx('deadline', c.nextDeadline.kind.replace(/^(task|stage|approval):/, ''))}: <When at={c.nextDeadline.at} /> · <Countdown at={c.nextDeadline.at} />
              {c.nextDeadline.paused ? ` (${t('case.paused')})` : ''}
            </p>
          ) : (
            <p>{t('case.noDeadline')}</p>
          )}
          {c.closure ? <p>{t('case.closedBecause', { reason: tx('enum', String((c.closure as { reason?: string }).reason ?? '')) })}</p> : null}
          <h3>{t('case.openTasks')}</h3>
          {c.openTasks.length ? (
            <ul>
              {c.openTasks.map((task) => (
                <li key={task.id}>
                  {tx('task', task.type)} · {task.agencyId ?? tx('audience', task.audience)} · {tx('enum', task.status)} · <When at={task.dueAt} />
                  {task.escalationLevel ? <span className="badge warn">{t('inbox.escalation', { level: task.escalationLevel })}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('case.none')}</p>
          )}
          <h3>{t('case.pendingApprovals')}</h3>
          {c.pendingApprovals.length ? (
            <ul>
              {c.pendingApprovals.map((a) => (
                <li key={a.id}>
                  {tx('enum', a.reason)} · <When at={a.dueAt} />
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('case.none')}</p>
          )}
          {c.previousCaseId ? (
            <p>
              <Link to={`/cases/${c.previousCaseId}`}>{t('case.previous')}</Link>
            </p>
          ) : null}
          {c.reopenedAs ? (
            <p>
              <Link to={`/cases/${c.reopenedAs}`}>{t('case.reopenedAs')}</Link>
            </p>
          ) : null}
          {c.operationId ? (
            <p>
              <Link to={`/raids/${c.operationId}`}>{t('case.operation')}</Link>
            </p>
          ) : null}
        </section>
      </div>
      <Actions c={c} />
      {c.status === 'closed' && !c.reopenedAs && claims?.role === 'supervisor' ? <Reopen c={c} /> : null}
      <Timeline id={c.id} />
    </article>
  );
}
