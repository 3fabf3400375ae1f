// Raids (mass rescue operations): the office's raids (GET /v1/operations), upload a CSV or JSON list
// of persons as one operation (POST /v1/operations), then watch its progress (GET /v1/operations/:id)
// until every person has a case or was linked to the one they already had, and act on its cases in
// bulk (BulkActions.tsx).
import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api, idempotencyKey, ok } from '../api/client';
import { Problem } from '../components/Problem';
import { useT } from '../i18n';
import { When } from '../components/When';
import { BulkActionForm, BulkProgress } from './BulkActions';
import { type RaidPerson, parsePersons } from './raids-file';

function OperationList() {
  const { t, tx } = useT();
  const list = useQuery({
    queryKey: ['operations'],
    refetchInterval: 15_000,
    queryFn: () => ok(api.GET('/v1/operations', { params: { query: { limit: 200 } as never } })),
  });
  const items = list.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="ops-h">
      <h2 id="ops-h">{t('raids.list')}</h2>
      <Problem error={list.error} />
      {list.isPending ? <p>{t('common.loading')}</p> : items.length === 0 ? <p>{t('raids.none')}</p> : null}
      {items.length ? (
        <table className="list">
          <caption className="sr-only">{t('raids.list')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('raids.name')}</th>
              <th scope="col">{t('raids.country')}</th>
              <th scope="col">{t('raids.date')}</th>
              <th scope="col">{t('raids.persons')}</th>
              <th scope="col">{t('raids.status')}</th>
              <th scope="col">{t('raids.registered')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <tr key={o.id}>
                <td>
                  <Link to={`/raids/${o.id}`}>{o.name}</Link>
                </td>
                <td>{o.country}</td>
                <td>{o.date}</td>
                <td>{o.total}</td>
                <td>{tx('enum', o.status)}</td>
                <td>
                  <When at={o.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function Progress({ id }: { id: string }) {
  const { t, tx } = useT();
  const op = useQuery({
    queryKey: ['operation', id],
    queryFn: () => ok(api.GET('/v1/operations/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1_000 : false),
  });
  const o = op.data;
  if (op.error) return <Problem error={op.error} />;
  if (!o) return <p>{t('common.loading')}</p>;
  const done = o.opened + o.linkedExisting + (o.merged ?? 0) + o.failed;
  return (
    <section className="card" aria-labelledby="op-h">
      <h2 id="op-h">
        {o.name} · {tx('enum', o.status)}
      </h2>
      <label htmlFor="op-progress">{t('raids.progress', { done, total: o.total })}</label>
      <progress id="op-progress" max={o.total} value={done} />
      <dl>
        <dt>{t('raids.opened')}</dt>
        <dd>{o.opened}</dd>
        <dt>{t('raids.linked')}</dt>
        <dd>{o.linkedExisting}</dd>
        <dt>{t('raids.merged')}</dt>
        <dd>{o.merged ?? 0}</dd>
        <dt>{t('raids.failed')}</dt>
        <dd>{o.failed}</dd>
      </dl>
      <p>
        <Link to={`/cases?operationId=${o.id}`}>{t('raids.cases')}</Link>
      </p>
    </section>
  );
}

export function Raids() {
  const { t } = useT();
  const { id, bulkId } = useParams();
  const navigate = useNavigate();
  const uid = useId();
  const [form, setForm] = useState({ name: '', country: '', site: '', date: '', consulateId: '' });
  const [persons, setPersons] = useState<RaidPerson[] | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const agencies = useQuery({ queryKey: ['agencies'], queryFn: () => ok(api.GET('/v1/agencies')) });
  const start = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/v1/operations', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } as never },
          body: { ...form, site: form.site || undefined, persons: persons ?? [] } as never,
        }),
      ),
    onSuccess: (o) => navigate(`/raids/${o.id}`),
  });
  const fields = start.error instanceof ApiError ? start.error.fields : {};
  const read = async (file: File | undefined) => {
    setFileError(null);
    setPersons(null);
    if (!file) return;
    try {
      setPersons(parsePersons(file.name, await file.text()));
    } catch (e) {
      setFileError(String((e as Error).message));
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  const input = (name: keyof typeof form, type = 'text') => (
    <div className="field">
      <label htmlFor={`${uid}-${name}`}>{t(`raids.${name}`)}</label>
      <input
        id={`${uid}-${name}`}
        type={type}
        value={form[name]}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
        aria-invalid={fields[name] ? true : undefined}
        aria-describedby={fields[name] ? `${uid}-${name}-error` : undefined}
      />
      {fields[name] ? (
        <span id={`${uid}-${name}-error`} className="field-error">
          {fields[name]}
        </span>
      ) : null}
    </div>
  );
  const personErrors = Object.entries(fields).filter(([p]) => p.startsWith('persons'));
  return (
    <section>
      <h1>{t('raids.title')}</h1>
      {id ? <Progress id={id} /> : null}
      {id && bulkId ? <BulkProgress key={bulkId} operationId={id} bulkId={bulkId} /> : null}
      {id && !bulkId ? <BulkActionForm operationId={id} /> : null}
      {id ? null : <OperationList />}
      {id ? null : <form onSubmit={submit} className="card" aria-labelledby={`${uid}-h`}>
        <h2 id={`${uid}-h`}>{t('raids.new')}</h2>
        {input('name')}
        {input('country')}
        {input('site')}
        {input('date', 'date')}
        <div className="field">
          <label htmlFor={`${uid}-consulateId`}>{t('raids.consulateId')}</label>
          <select id={`${uid}-consulateId`} value={form.consulateId} onChange={(e) => setForm({ ...form, consulateId: e.target.value })}>
            <option value="">{t('form.choose')}</option>
            {(agencies.data?.items ?? [])
              .filter((a) => a.kind === 'consulate')
              .map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.id})
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${uid}-file`}>{t('raids.file')}</label>
          <input id={`${uid}-file`} type="file" accept=".csv,.json,text/csv,application/json" onChange={(e) => void read(e.target.files?.[0])} />
          <span className="hint">{t('raids.fileHint')}</span>
          {fileError ? <span className="field-error">{fileError}</span> : null}
          {persons ? <p aria-live="polite">{t('raids.read', { count: persons.length })}</p> : null}
        </div>
        {personErrors.length ? (
          <ul className="form-errors" role="alert">
            {personErrors.slice(0, 20).map(([p, m]) => (
              <li key={p}>
                {p}: {m}
              </li>
            ))}
          </ul>
        ) : null}
        {start.error && !(start.error instanceof ApiError && start.error.code === 'validation_failed') ? <Problem error={start.error} /> : null}
        <button type="submit" disabled={!persons?.length || start.isPending}>
          {t('raids.submit')}
        </button>
      </form>}
    </section>
  );
}
