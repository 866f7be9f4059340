import { useTranslation } from "react-i18next";
import { useLiveConnectionState } from "../live/job-events.ts";

/** Whether live status updates are flowing (the events stream is open). */
export function LiveIndicator() {
  const { t } = useTranslation();
  const state = useLiveConnectionState();
  const open = state === "open";
  return (
    <span
      className={`live ${open ? "live--open" : ""}`}
      data-testid="live-indicator"
      data-state={state}
      role="status"
    >
      <span className="live__dot" aria-hidden="true" />
      {open ? t("recordings.live.connected") : t("recordings.live.reconnecting")}
    </span>
  );
}
