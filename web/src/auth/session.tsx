// Who is signed in: the bearer token the API verifies, and its claims (role, office, agency) read from
// it for the console's navigation only (the API decides what each role may do). The token lives in
// this tab's sessionStorage: closing the tab signs out. Development sign-in gets a token from
// POST /dev/token; production signs in with OpenID Connect (authorization code + PKCE).
import type { UserManager } from 'oidc-client-ts';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type Role = 'caseworker' | 'agency_officer' | 'supervisor' | 'admin';
export interface Claims {
  sub: string;
  role: Role;
  office?: string;
  agency?: string;
  exp?: number;
}
export interface ConsoleConfig {
  signIn: 'oidc' | 'development' | 'none';
  oidc: { issuer: string; clientId: string; scope: string } | null;
}

const KEY = 'homeward.token';

export function claimsOf(token: string): Claims | null {
  try {
    const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      Array.from(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), '=')), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    const c = JSON.parse(json) as Claims;
    if (typeof c.sub !== 'string' || typeof c.role !== 'string') return null;
    if (c.exp && c.exp * 1000 < Date.now()) return null;
    return c;
  } catch {
    return null;
  }
}

export function storedToken(): string | null {
  const t = sessionStorage.getItem(KEY);
  return t && claimsOf(t) ? t : null;
}

/**
 * The OpenID Connect client, or null when the server has none configured. oidc-client-ts is loaded
 * only here, on the first call: a development server (or a signed-in user) never downloads it.
 */
export async function userManager(config: ConsoleConfig): Promise<UserManager | null> {
  if (!config.oidc) return null;
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  return new UserManager({
    authority: config.oidc.issuer,
    client_id: config.oidc.clientId,
    scope: config.oidc.scope,
    redirect_uri: `${location.origin}/auth/callback`,
    post_logout_redirect_uri: `${location.origin}/`,
    response_type: 'code',
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
}

interface Session {
  token: string | null;
  claims: Claims | null;
  signIn(token: string): void;
  signOut(): void;
}
const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => storedToken());
  const signIn = useCallback((t: string) => {
    sessionStorage.setItem(KEY, t);
    setToken(t);
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY);
    setToken(null);
  }, []);
  const value = useMemo(() => ({ token, claims: token ? claimsOf(token) : null, signIn, signOut }), [token, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
