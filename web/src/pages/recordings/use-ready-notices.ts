/**
 * "Your call is ready": when the drafting of one of the signed-in rep's own calls finishes, a
 * notice says so (with how many drafts wait for them) and links to the call, on whatever screen
 * the rep is. Driven by the live job events (SSE).
 */
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
  useJobEvents((event) => {
    if (
      event.queue !== "draft" ||
      event.state !== "completed" ||
      event.ownerId !== user.id ||
      event.subjectType !== "recording" ||
      !event.subjectId
    )
      return;
    const id = event.subjectId;
    api
      .get<{ recording: Recording }>(`/api/recordings/${id}`)
      .then(({ recording }) => {
        if (recording.status !== "ready") return;
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
