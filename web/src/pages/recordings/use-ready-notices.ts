/**
 * "Your call is ready": when the drafting of one of the signed-in rep's own calls finishes, a
 * notice says so (with how many drafts wait for them) and links to the call, on whatever screen
 * the rep is. Driven by the live job events (SSE): the `draft` job starts the agent pipeline and
 * the call is ready once its last `agent-run` job is done, so a call seen drafting (its draft job
 * queued or running) is announced once, when one of those jobs completes and finds it ready — and a
 * later re-run of one agent announces nothing.
 */
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Recording } from "../../api/types.ts";
import { showToast } from "../../components/toasts.tsx";
import { useJobEvents } from "../../live/job-events.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { recordingTitle } from "./recording-status.tsx";

export function useReadyNotices(): void {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const drafting = useRef(new Set<string>());
  useJobEvents((event) => {
    if (
      (event.queue !== "draft" && event.queue !== "agent-run") ||
      event.ownerId !== user.id ||
      event.subjectType !== "recording" ||
      !event.subjectId
    )
      return;
    const id = event.subjectId;
    if (event.queue === "draft" && event.state !== "completed") drafting.current.add(id);
    if (event.state !== "completed" || !drafting.current.has(id)) return;
    api
      .get<{ recording: Recording }>(`/api/recordings/${id}`)
      .then(({ recording }) => {
        if (recording.status !== "ready" || !drafting.current.delete(id)) return;
        showToast(
          t("repCall.readyNotice", {
            title: recordingTitle(recording),
            count: recording.draftsToConfirm,
          }),
          {
            link: { href: `/recordings/${id}`, label: t("repCall.open") },
          },
        );
      })
      .catch(() => undefined);
  });
}

/** Mount once (the app shell does): the notices for the signed-in user's own calls. */
export function ReadyNotices(): null {
  useReadyNotices();
  return null;
}
