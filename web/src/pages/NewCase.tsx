// Opening a case: the form of POST /v1/cases from the API's schema, the consulate chosen from the
// agencies. An open case with the same identity document is a duplicate: the page says so and links
// to that case when it is in the caller's scope.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ApiError, api, idempotencyKey, ok } from '../api/client';
import { useForms } from '../api/forms';
import { Problem } from '../components/Problem';
import { SchemaForm } from '../components/SchemaForm';
import { useT } from '../i18n';

export function NewCase() {
  const { t } = useT();
  const forms = useForms();
  const navigate = useNavigate();
  const agencies = useQuery({ queryKey: ['agencies'], queryFn: () => ok(api.GET('/v1/agencies')) });
  const consulates = (agencies.data?.items ?? []).filter((a) => a.kind === 'consulate').map((a) => ({ value: a.id, label: `${a.name} (${a.id})` }));
  const open = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      ok(api.POST('/v1/cases', { params: { header: { 'Idempotency-Key': idempotencyKey() } as never }, body: body as never })),
    onSuccess: (c) => navigate(`/cases/${c.id}`),
  });
  const err = open.error instanceof ApiError ? open.error : null;
  return (
    <section>
      <h1>{t('newCase.title')}</h1>
      {err && err.code !== 'validation_failed' ? <Problem error={err} /> : null}
      {forms.error ? <Problem error={forms.error} /> : null}
      {forms.data ? (
        <SchemaForm
          name="open_case"
          schema={forms.data.openCase}
          submitLabel={t('newCase.submit')}
          hidden={['office', 'location.confirmed']}
          choices={{ consulateId: consulates }}
          fieldErrors={err?.fields}
          busy={open.isPending}
          onSubmit={(body) => open.mutate(body)}
        />
      ) : (
        <p>{t('common.loading')}</p>
      )}
    </section>
  );
}
