/**
 * Routes. Screens other than sign-in and the recordings list are loaded on demand (`React.lazy`),
 * so the first load stays small; the audio waveform, the virtualised transcript, user management
 * and settings each arrive when first opened.
 */
import { Component, lazy, Suspense } from "react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Redirect, Route, Switch } from "wouter";
import { AppShell } from "./components/app-shell.tsx";
import { HotkeysProvider } from "./hotkeys/hotkeys-context.tsx";
import type { Screen } from "./navigation.ts";
import { canOpen, screens } from "./navigation.ts";
import { NotFoundPage } from "./pages/not-found-page.tsx";
import { RecordingsPage } from "./pages/recordings/recordings-page.tsx";
import { ReadyNotices } from "./pages/recordings/use-ready-notices.ts";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { SessionProvider, useSession } from "./session/session-context.tsx";

const RecordingDetailPage = lazy(() => import("./pages/recordings/recording-detail-page.tsx"));
const UsersPage = lazy(() => import("./pages/users-page.tsx"));
const SettingsPage = lazy(() => import("./pages/settings-page.tsx"));
const SetupPage = lazy(() => import("./pages/setup-page.tsx"));
const PromptSetsPage = lazy(() => import("./pages/prompt-sets/prompt-sets-page.tsx"));
const EvalsPage = lazy(() => import("./pages/evals/evals-page.tsx"));
const AgentsPage = lazy(() => import("./pages/agents/agents-page.tsx"));
const EvalRunPage = lazy(() => import("./pages/evals/run-detail-page.tsx"));
const EvalComparePage = lazy(() => import("./pages/evals/compare-page.tsx"));
const CapabilityMapPage = lazy(() => import("./pages/capability-map/capability-map-page.tsx"));
const CapabilityReportPage = lazy(() => import("./pages/capability-map/report-page.tsx"));
const ReviewPage = lazy(() => import("./pages/review/review-page.tsx"));
const ReviewSessionPage = lazy(() => import("./pages/review/review-session-page.tsx"));
const CallViewPage = lazy(() => import("./pages/review/call-view-page.tsx"));
const DashboardPage = lazy(() => import("./pages/dashboard/dashboard-page.tsx"));
const TalkTrackPoolPage = lazy(() => import("./pages/review/talk-track-pool-page.tsx"));
const IntegrationsPage = lazy(() => import("./pages/integrations/integrations-page.tsx"));
const TracesPage = lazy(() => import("./pages/traces/traces-page.tsx"));
const TraceDetailPage = lazy(() => import("./pages/traces/trace-detail-page.tsx"));
const ConnectorsPage = lazy(() => import("./pages/connectors/connectors-page.tsx"));
const TaxonomyPage = lazy(() => import("./pages/taxonomy/taxonomy-page.tsx"));

function Loading() {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status">
      {t("common.loading")}
    </div>
  );
}

/** Keeps one broken screen (or a chunk that failed to download) from blanking the whole app. */
class ErrorBoundary extends Component<
  { children: ReactNode; fallback: ReactNode },
  { failed: boolean }
> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

function Crashed() {
  const { t } = useTranslation();
  return (
    <div className="panel">
      <p className="message message--error">{t("errors.pageCrashed")}</p>
      <button type="button" className="button" onClick={() => window.location.reload()}>
        {t("common.reload")}
      </button>
    </div>
  );
}

function Guarded({ screen, children }: { screen: Screen; children: ReactNode }) {
  const { session } = useSession();
  if (session.status !== "signed-in" || !canOpen(screen, session.user.role))
    return <NotFoundPage />;
  return <>{children}</>;
}

function SignedInRoutes() {
  return (
    <HotkeysProvider>
      <AppShell>
        <ErrorBoundary fallback={<Crashed />}>
          <Suspense fallback={<Loading />}>
            <Switch>
              <Route path="/">
                <Redirect to={screens.recordings.path} replace />
              </Route>
              <Route path="/sign-in">
                <Redirect to={screens.recordings.path} replace />
              </Route>
              <Route path="/recordings">
                <RecordingsPage />
              </Route>
              <Route path="/recordings/:id">
                {(params) => <RecordingDetailPage key={params.id} id={params.id} />}
              </Route>
              <Route path={screens.review.path}>
                <Guarded screen={screens.review}>
                  <ReviewPage />
                </Guarded>
              </Route>
              <Route path="/review/session">
                <Guarded screen={screens.review}>
                  <ReviewSessionPage />
                </Guarded>
              </Route>
              <Route path="/review/talk-tracks">
                <Guarded screen={screens.review}>
                  <TalkTrackPoolPage />
                </Guarded>
              </Route>
              <Route path="/review/calls/:recordingId">
                {(params) => (
                  <Guarded screen={screens.review}>
                    <CallViewPage key={params.recordingId} recordingId={params.recordingId} />
                  </Guarded>
                )}
              </Route>
              <Route path={screens.dashboard.path}>
                <Guarded screen={screens.dashboard}>
                  <DashboardPage />
                </Guarded>
              </Route>
              <Route path={screens.promptSets.path}>
                <Guarded screen={screens.promptSets}>
                  <PromptSetsPage />
                </Guarded>
              </Route>
              <Route path="/prompt-sets/:set">
                {(params) => (
                  <Guarded screen={screens.promptSets}>
                    <PromptSetsPage key={params.set} set={params.set} />
                  </Guarded>
                )}
              </Route>
              <Route path={screens.agents.path}>
                <Guarded screen={screens.agents}>
                  <AgentsPage />
                </Guarded>
              </Route>
              <Route path={screens.evals.path}>
                <Guarded screen={screens.evals}>
                  <EvalsPage />
                </Guarded>
              </Route>
              <Route path="/evals/runs/:id">
                {(params) => (
                  <Guarded screen={screens.evals}>
                    <EvalRunPage key={params.id} id={params.id} />
                  </Guarded>
                )}
              </Route>
              <Route path="/evals/compare">
                <Guarded screen={screens.evals}>
                  <EvalComparePage />
                </Guarded>
              </Route>
              <Route path={screens.taxonomy.path}>
                <Guarded screen={screens.taxonomy}>
                  <TaxonomyPage />
                </Guarded>
              </Route>
              <Route path="/capability-map/report">
                <Guarded screen={screens.capabilityMap}>
                  <CapabilityReportPage />
                </Guarded>
              </Route>
              <Route path={screens.capabilityMap.path}>
                <Guarded screen={screens.capabilityMap}>
                  <CapabilityMapPage />
                </Guarded>
              </Route>
              <Route path={screens.traces.path}>
                <Guarded screen={screens.traces}>
                  <TracesPage />
                </Guarded>
              </Route>
              <Route path="/traces/:id">
                {(params) => (
                  <Guarded screen={screens.traces}>
                    <TraceDetailPage key={params.id} id={params.id} />
                  </Guarded>
                )}
              </Route>
              <Route path={screens.users.path}>
                <Guarded screen={screens.users}>
                  <UsersPage />
                </Guarded>
              </Route>
              <Route path={screens.integrations.path}>
                <Guarded screen={screens.integrations}>
                  <IntegrationsPage />
                </Guarded>
              </Route>
              <Route path={screens.connectors.path}>
                <Guarded screen={screens.connectors}>
                  <ConnectorsPage />
                </Guarded>
              </Route>
              <Route path={screens.settings.path}>
                <SettingsPage />
              </Route>
              <Route>
                <NotFoundPage />
              </Route>
            </Switch>
          </Suspense>
        </ErrorBoundary>
        <ReadyNotices />
      </AppShell>
    </HotkeysProvider>
  );
}

function Routes() {
  const { session } = useSession();
  if (session.status === "loading") return <Loading />;
  return (
    <Switch>
      <Route path="/setup">
        <Suspense fallback={<Loading />}>
          <SetupPage />
        </Suspense>
      </Route>
      <Route>
        {session.status === "signed-in" ? (
          <SignedInRoutes />
        ) : (
          <SignInPage expired={session.expired} />
        )}
      </Route>
    </Switch>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Routes />
    </SessionProvider>
  );
}
