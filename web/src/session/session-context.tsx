/**
 * Who is signed in, for the whole app: loaded once from `GET /api/auth/me`, changed by signing in
 * and out, and dropped when any request reports that the session has ended. The user's saved
 * locale drives the UI language while signed in.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { api, onUnauthorised, setCsrfToken } from "../api/client.ts";
import type { CurrentUser, Locale, Team } from "../api/types.ts";
import { applyLocale } from "../i18n/i18n.ts";

interface SessionResponse {
  user: CurrentUser;
  csrfToken: string | null;
}

export type SessionState =
  | { status: "loading" }
  | { status: "signed-out"; expired: boolean }
  | { status: "signed-in"; user: CurrentUser; teamName: string | null };

export interface SessionContextValue {
  session: SessionState;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Switches the UI language, and saves it to the profile when signed in. */
  changeLocale(locale: Locale): Promise<void>;
  /** After `PATCH /api/me`: keep the header and everything else in step. */
  replaceUser(user: CurrentUser): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

async function teamNameOf(user: CurrentUser): Promise<string | null> {
  try {
    const { teams } = await api.get<{ teams: Team[] }>("/api/teams");
    return teams.find((team) => team.id === user.teamId)?.name ?? null;
  } catch {
    // The header can live without the team name.
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ status: "loading" });

  const establish = useCallback(async (response: SessionResponse) => {
    setCsrfToken(response.csrfToken);
    await applyLocale(response.user.locale);
    const teamName = await teamNameOf(response.user);
    setSession({ status: "signed-in", user: response.user, teamName });
  }, []);

  useEffect(() => {
    let cancelled = false;
    api
      .get<SessionResponse>("/api/auth/me")
      .then((response) => (cancelled ? undefined : establish(response)))
      .catch(() => {
        if (!cancelled) setSession({ status: "signed-out", expired: false });
      });
    return () => {
      cancelled = true;
    };
  }, [establish]);

  useEffect(
    () =>
      onUnauthorised(() => {
        setCsrfToken(null);
        setSession((current) =>
          current.status === "signed-in" ? { status: "signed-out", expired: true } : current,
        );
      }),
    [],
  );

  const signIn = useCallback(
    async (email: string, password: string) => {
      const response = await api.post<SessionResponse>("/api/auth/sign-in", { email, password });
      await establish(response);
    },
    [establish],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post("/api/auth/sign-out");
    } finally {
      setCsrfToken(null);
      setSession({ status: "signed-out", expired: false });
    }
  }, []);

  const replaceUser = useCallback((user: CurrentUser) => {
    setSession((current) => (current.status === "signed-in" ? { ...current, user } : current));
  }, []);

  const changeLocale = useCallback(
    async (locale: Locale) => {
      await applyLocale(locale);
      if (session.status !== "signed-in" || session.user.locale === locale) return;
      const { user } = await api.patch<{ user: CurrentUser }>("/api/me", { locale });
      replaceUser({ ...session.user, locale: user.locale });
    },
    [session, replaceUser],
  );

  const value = useMemo(
    () => ({ session, signIn, signOut, changeLocale, replaceUser }),
    [session, signIn, signOut, changeLocale, replaceUser],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession needs a SessionProvider above it");
  return value;
}

/** The signed-in user; only for components rendered behind the sign-in gate. */
export function useCurrentUser(): CurrentUser {
  const { session } = useSession();
  if (session.status !== "signed-in") throw new Error("useCurrentUser needs a signed-in session");
  return session.user;
}
