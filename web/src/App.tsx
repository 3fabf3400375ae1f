// The frame of every page (skip link, navigation by role, language switcher, sign-out) and the routes.
// Each page lives in pages/<page>.tsx.
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation, useNavigationType } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { type Role, useSession } from './auth/session';
import { LANGUAGES, type Language, timeZone, useLanguage, useT } from './i18n';
import { SignIn, AuthCallback } from './pages/SignIn';
import { Cases } from './pages/Cases';
import { CasePage } from './pages/Case';
import { NewCase } from './pages/NewCase';
import { Inbox } from './pages/Inbox';
import { Approvals } from './pages/Approvals';
import { Overdue } from './pages/Overdue';
import { Raids } from './pages/Raids';

// The charts library is large and only supervisors see it: loaded with the dashboard.
const Dashboard = lazy(() => import('./pages/Dashboard'));

const NAV: Record<Role, Array<[string, string]>> = {
  caseworker: [
    ['/cases?scope=mine', 'nav.myCases'],
    ['/cases', 'nav.officeCases'],
    ['/cases/new', 'nav.newCase'],
    ['/inbox', 'nav.myTasks'],
  ],
  supervisor: [
    ['/dashboard', 'nav.dashboard'],
    ['/cases', 'nav.officeCases'],
    ['/approvals', 'nav.approvals'],
    ['/overdue', 'nav.overdue'],
    ['/raids', 'nav.raids'],
    ['/inbox', 'nav.reviews'],
    ['/cases/new', 'nav.newCase'],
  ],
  agency_officer: [['/inbox', 'nav.inbox']],
  admin: [['/dashboard', 'nav.dashboard']],
};

export const homeOf = (role: Role) => ({ caseworker: '/cases?scope=mine', supervisor: '/dashboard', agency_officer: '/inbox', admin: '/dashboard' })[role];

function LanguageSwitcher() {
  const { lang, setLang } = useLanguage();
  const { t } = useT();
  return (
    <label className="lang">
      <span>{t('nav.language')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l.tag} value={l.tag} lang={l.tag}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function Frame({ children }: { children: ReactNode }) {
  const { claims, signOut } = useSession();
  const { t, tx } = useT();
  const queries = useQueryClient();
  const location = useLocation();
  useEffect(() => {
    const expired = () => {
      queries.clear();
      signOut();
    };
    window.addEventListener('homeward:unauthenticated', expired);
    return () => window.removeEventListener('homeward:unauthenticated', expired);
  }, [queries, signOut]);
  // After a navigation, keyboard and screen reader users start at the new page's content (not on
  // the first load: there the skip link comes first).
  const navigation = useNavigationType();
  useEffect(() => {
    if (navigation !== 'POP') document.getElementById('main')?.focus();
  }, [location.pathname, navigation]);
  return (
    <>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <span className="brand">{t('app.name')}</span>
        {claims ? (
          <nav aria-label={t('nav.label')}>
            <ul>
              {NAV[claims.role].map(([to, id]) => (
                <li key={to}>
                  <NavLink to={to} end>
                    {t(id)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <div className="who">
          <LanguageSwitcher />
          <span className="tz">{t('app.timeZone', { zone: timeZone() })}</span>
          {claims ? (
            <>
              <span>
                {claims.sub} · {tx('role', claims.role)} · {claims.office ?? claims.agency}
              </span>
              <button
                type="button"
                onClick={() => {
                  queries.clear();
                  signOut();
                }}
              >
                {t('nav.signOut')}
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function Authed({ children }: { children: ReactNode }) {
  const { claims } = useSession();
  const location = useLocation();
  if (!claims) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}

function Home() {
  const { claims } = useSession();
  return claims ? <Navigate to={homeOf(claims.role)} replace /> : <Navigate to="/sign-in" replace />;
}

export function App() {
  const { t } = useT();
  const authed = (page: ReactNode) => <Authed>{page}</Authed>;
  return (
    <Frame>
      <Suspense fallback={<p>{t('common.loading')}</p>}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/sign-in" element={<SignIn />} />
          <Route path="/auth/callback" element={<AuthCallback />} />
          <Route path="/cases" element={authed(<Cases />)} />
          <Route path="/cases/new" element={authed(<NewCase />)} />
          <Route path="/cases/:id" element={authed(<CasePage />)} />
          <Route path="/inbox" element={authed(<Inbox />)} />
          <Route path="/dashboard" element={authed(<Dashboard />)} />
          <Route path="/approvals" element={authed(<Approvals />)} />
          <Route path="/overdue" element={authed(<Overdue />)} />
          <Route path="/raids" element={authed(<Raids />)} />
          <Route path="/raids/:id" element={authed(<Raids />)} />
          <Route path="/raids/:id/actions/:bulkId" element={authed(<Raids />)} />
          <Route path="*" element={<p>{t('common.notFound')}</p>} />
        </Routes>
      </Suspense>
    </Frame>
  );
}
