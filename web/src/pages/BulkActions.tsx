// Acting on a raid's cases at once: choose an action (its form is built from the same action schemas
// as the case page), optionally the cases (default: every open case of the raid), and send it as one
// bulk action (POST /v1/operations/:id/actions, with an Idempotency-Key per intent). Its progress
// (GET /v1/operations/:id/actions/:bulkId) lists the cases that refused it, each linked to its page.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, api, idempotencyKey, ok } from '../api/client';
import { useForms } from '../api/forms';
import { Problem } from '../components/Problem';
import { SchemaForm } from '../components/SchemaForm';
import { useT } from '../i18n';

/** The open cases of a raid (one page of 200), for choosing and for naming the failures. */
export function useRaidCases(operationId: string) {
  // The raid's own progress (the query its progress bar shares, which refreshes it while it runs):
  const op = useQuery({ queryKey: ['operation', operationId], queryFn: () => ok(api.GET('/v1/operations/{id}', { params: { path: { id: operationId } } })) });
  // while it runs, cases keep arriving: the list is asked for again as the count of handled persons grows.
  const handled = op.data ? op.data.opened + op.data.linkedExisting : null;
  return useQuery({
    queryKey: ['cases', { operationId, status: 'open', limit: 200, handled }],
    enabled: handled !== null,
    queryFn: () => ok(api.GET('/v1/cases', { params: { query: { operationId, status: 'open', limit: 200, sort: 'createdAt' } as never } })),
  });
}

export function BulkActionForm({ operationId }: { operationId: string }) {
  const { t, tx } = useT();
  const uid = useId();
  const navigate = useNavigate();
  const forms = useForms();
  const cases = useRaidCases(operationId);
  const [type, setType] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  // One key per intent: the same form sent twice (a retried click) acts once.
  const [key, setKey] = useState(idempotencyKey);
  const start = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(
        api.POST('/v1/operations/{id}/actions', {
          params: { path: { id: operationId }, header: { 'Idempotency-Key': key } as never },
          body: { ...body, type, ...(chosen.length ? { caseIds: chosen } : {}) } as never,
        }),
      ),
    onSuccess: (b) => navigate(`/raids/${operationId}/actions/${b.id}`),
  });
  const choose = (next: string) => {
    start.reset();
    setKey(idempotencyKey());
    setType(next);
  };
  const schema = type ? forms.data?.action(type) : undefined;
  const err = start.error instanceof ApiError ? start.error : null;
  const rows = cases.data?.items ?? [];
  const toggle = (id: string, on: boolean) => setChosen((old) => (on ? [...old, id] : old.filter((c) => c !== id)));
  return (
    <section className="card" aria-labelledby={`${uid}-h`}>
      <h2 id={`${uid}-h`}>{t('bulk.title')}</h2>
      <div className="field">
        <label htmlFor={`${uid}-type`}>{t('bulk.action')}</label>
        <select id={`${uid}-type`} value={type} onChange={(e) => choose(e.target.value)}>
          <option value="">{t('form.choose')}</option>
          {(forms.data?.actionTypes ?? []).map((a) => (
            <option key={a} value={a}>
              {tx('action', a)}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="field choices bulk-cases">
        <legend>{t('bulk.cases', { count: chosen.length })}</legend>
        <p className="hint">{t('bulk.casesHint')}</p>
        {rows.map((c) => (
          <label key={c.id} className="choice">
            <input type="checkbox" checked={chosen.includes(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} />
            {c.reference} · {c.person.fullName} · {tx('stage', c.stage)}
          </label>
        ))}
        {cases.isPending ? <p>{t('common.loading')}</p> : null}
      </fieldset>
      {err && err.code !== 'validation_failed' ? <Problem error={err} /> : null}
      {start.error && !err ? <Problem error={start.error} /> : null}
      {type && schema ? (
        <SchemaForm
          key={type}
          name={type}
          schema={schema}
          submitLabel={chosen.length ? t('bulk.submitChosen', { count: chosen.length }) : t('bulk.submitAll')}
          fieldErrors={err?.fields}
          busy={start.isPending}
          onSubmit={(body) => start.mutate(body)}
        />
      ) : null}
    </section>
  );
}

export function BulkProgress({ operationId, bulkId }: { operationId: string; bulkId: string }) {
  const { t, tx } = useT();
  const uid = useId();
  const cases = useRaidCases(operationId);
  const status = useQuery({
    queryKey: ['bulk', bulkId],
    queryFn: () => ok(api.GET('/v1/operations/{id}/actions/{bulkId}', { params: { path: { id: operationId, bulkId }, query: { limit: 1000 } as never } })),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1_000 : false),
  });
  const b = status.data;
  if (status.error) return <Problem error={status.error} />;
  if (!b) return <p>{t('common.loading')}</p>;
  const reference = new Map((cases.data?.items ?? []).map((c) => [c.id, c.reference]));
  const done = b.succeeded + b.failedCount;
  return (
    <section className="card" aria-labelledby={`${uid}-h`}>
      <h2 id={`${uid}-h`}>
        {tx('action', b.type)} · {tx('enum', b.status)}
      </h2>
      <label htmlFor={`${uid}-progress`}>{t('bulk.progress', { done, total: b.total })}</label>
      <progress id={`${uid}-progress`} max={b.total} value={done} />
      <dl>
        <dt>{t('bulk.succeeded')}</dt>
        <dd>{b.succeeded}</dd>
        <dt>{t('bulk.failed')}</dt>
        <dd>{b.failedCount}</dd>
        <dt>{t('bulk.pending')}</dt>
        <dd>{b.pending}</dd>
      </dl>
      {b.failed.length ? (
        <table className="list">
          <caption>{t('bulk.failures')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('case.reference')}</th>
              <th scope="col">{t('bulk.why')}</th>
            </tr>
          </thead>
          <tbody>
            {b.failed.map((f) => (
              <tr key={f.caseId}>
                <td>
                  <Link to={`/cases/${f.caseId}`}>{reference.get(f.caseId) ?? f.caseId}</Link>
                </td>
                <td>
                  {tx('error', f.error.code)} <span className="api-message">{f.error.message}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p>
        <Link to={`/raids/${operationId}`}>{t('bulk.another')}</Link>
      </p>
    </section>
  );
}
