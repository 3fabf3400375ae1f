// Sign-in. Production: OpenID Connect (authorization code + PKCE, oidc-client-ts) against the issuer
// of /console/config.json. Development: pick a role, office or agency and a name, and get a token
// from POST /dev/token (an endpoint the API does not have in production).
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { type ConsoleConfig, type Role, claimsOf, useSession, userManager } from '../auth/session';
import { Problem } from '../components/Problem';
import { useT } from '../i18n';
import { homeOf } from '../App';

export function useConsoleConfig() {
  return useQuery({
    queryKey: ['console-config'],
    staleTime: Infinity,
    queryFn: async () => (await (await fetch('/console/config.json')).json()) as ConsoleConfig,
  });
}

const ROLES: Role[] = ['caseworker', 'agency_officer', 'supervisor', 'admin'];

function DevSignIn({ next }: { next: string | null }) {
  const { t, tx } = useT();
  const { signIn } = useSession();
  const navigate = useNavigate();
  const id = useId();
  const [role, setRole] = useState<Role>('caseworker');
  const [office, setOffice] = useState('manila');
  const [agency, setAgency] = useState('');
  const [sub, setSub] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = { role, sub, ...(role === 'agency_officer' ? { agency } : role === 'admin' ? {} : { office }) };
    const res = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { token?: string; error?: { code: string; message: string; details?: unknown } };
    if (!res.ok || !json.token) {
      const err = new ApiError(res.status, json.error?.code ?? 'internal', json.error?.message ?? '', json.error?.details);
      setFields(err.fields);
      setError(err);
      return;
    }
    signIn(json.token);
    navigate(next ?? homeOf(claimsOf(json.token)!.role), { replace: true });
  };
  const err = (name: string) =>
    fields[name] ? (
      <span id={`${id}-${name}-error`} className="field-error">
        {fields[name]}
      </span>
    ) : null;
  const aria = (name: string) => ({ 'aria-invalid': fields[name] ? true : undefined, 'aria-describedby': fields[name] ? `${id}-${name}-error` : undefined });

  return (
    <form onSubmit={submit} className="card narrow" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('signIn.dev.title')}</h2>
      <p className="hint">{t('signIn.dev.hint')}</p>
      <div className="field">
        <label htmlFor={`${id}-role`}>{t('signIn.role')}</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {tx('role', r)}
            </option>
          ))}
        </select>
      </div>
      {role === 'caseworker' || role === 'supervisor' ? (
        <div className="field">
          <label htmlFor={`${id}-office`}>{t('signIn.office')}</label>
          <input id={`${id}-office`} value={office} onChange={(e) => setOffice(e.target.value)} {...aria('office')} />
          {err('office')}
        </div>
      ) : null}
      {role === 'agency_officer' ? (
        <div className="field">
          <label htmlFor={`${id}-agency`}>{t('signIn.agency')}</label>
          <input id={`${id}-agency`} value={agency} onChange={(e) => setAgency(e.target.value)} {...aria('agency')} />
          {err('agency')}
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-sub`}>{t('signIn.name')}</label>
        <input id={`${id}-sub`} value={sub} onChange={(e) => setSub(e.target.value)} autoComplete="username" {...aria('sub')} />
        {err('sub')}
      </div>
      {error && !Object.keys(fields).length ? <Problem error={error} /> : null}
      <button type="submit">{t('signIn.submit')}</button>
    </form>
  );
}

export function SignIn() {
  const { t } = useT();
  const config = useConsoleConfig();
  const { claims } = useSession();
  const [params] = useSearchParams();
  const next = params.get('next');
  if (claims) return <Navigate to={next ?? homeOf(claims.role)} replace />;
  return (
    <section>
      <h1>{t('signIn.title')}</h1>
      {config.isPending ? <p>{t('common.loading')}</p> : null}
      {config.data?.signIn === 'oidc' ? (
        <div className="card narrow">
          <p>{t('signIn.oidc.hint')}</p>
          <button type="button" onClick={() => void userManager(config.data!).then((m) => m?.signinRedirect({ state: next ?? undefined }))}>
            {t('signIn.oidc.submit')}
          </button>
        </div>
      ) : null}
      {config.data?.signIn === 'development' ? <DevSignIn next={next} /> : null}
      {config.data?.signIn === 'none' ? <p>{t('signIn.none')}</p> : null}
    </section>
  );
}

/** Where the issuer sends the browser back: the code is exchanged (with the PKCE verifier) for tokens. */
export function AuthCallback() {
  const { t } = useT();
  const config = useConsoleConfig();
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!config.data) return;
    void userManager(config.data).then((manager) => manager?.signinRedirectCallback()).then(
      (user) => {
        if (!user) return;
        signIn(user.access_token);
        const claims = claimsOf(user.access_token);
        navigate(typeof user.state === 'string' ? user.state : claims ? homeOf(claims.role) : '/', { replace: true });
      },
      (err: unknown) => setError(err),
    );
  }, [config.data, signIn, navigate]);
  return (
    <section>
      <h1>{t('signIn.title')}</h1>
      {error ? <Problem error={error} /> : <p>{t('common.loading')}</p>}
    </section>
  );
}
