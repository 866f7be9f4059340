/**
 * The shapes the API returns, as the browser sees them (JSON: dates are ISO strings). Types that
 * exist on the server are derived from it with `import type`, which costs nothing in the bundle and
 * makes `npm run typecheck` fail when the two drift apart.
 */
import type { Actor, Role } from "../../../core/auth/actor.ts";
import type { ApiToken as ServerApiToken } from "../../../core/auth/sessions.ts";
import type { Team as ServerTeam } from "../../../core/auth/teams.ts";
import type { JobEvent as ServerJobEvent } from "../../../core/jobs/events.ts";
import type {
  Recording as ServerRecording,
  TranscriptView,
} from "../../../core/upload/recordings.ts";

export type { Role };
export type Locale = Actor["locale"];
export const locales: Locale[] = ["zh-CN", "en"];
export const roles: Role[] = ["rep", "trainer", "manager", "admin"];

/** The signed-in person (`GET /api/auth/me`). */
export type CurrentUser = Actor;

export interface ManagedUser extends Actor {
  disabled: boolean;
  createdAt: string;
}

export type Team = Omit<ServerTeam, "workspaceId"> & { workspaceId?: string };

export type ApiToken = Omit<ServerApiToken, "createdAt" | "lastUsedAt" | "expiresAt"> & {
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
};

export type JobEvent = ServerJobEvent;

export type RecordingStatus = ServerRecording["status"];
export const recordingStatuses: readonly RecordingStatus[] = [
  "queued",
  "normalising",
  "transcribing",
  "drafting",
  "ready",
  "failed",
];
export const finalRecordingStatuses: ReadonlySet<RecordingStatus> = new Set<RecordingStatus>([
  "ready",
  "failed",
]);

export type RecordingLanguage = ServerRecording["language"];

/** A recording as `GET /api/recordings` returns it (storage details stay on the server). */
export type Recording = Omit<
  ServerRecording,
  "storageKey" | "teamPath" | "workspaceId" | "createdAt" | "updatedAt"
> & {
  createdAt: string;
  updatedAt?: string;
};

export type Transcript = Omit<TranscriptView, "id"> & { id?: string };
export type TranscriptSegment = Transcript["segments"][number];

export interface Workspace {
  customerStages: string[];
}
