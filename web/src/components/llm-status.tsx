/**
 * Whether the server has an LLM endpoint (`GET /api/llm-status`), asked once per page, and the
 * notice that says so up front — instead of a prompt-set run failing only after Run is pressed.
 */
import { useTranslation } from "react-i18next";
import { useResource } from "./use-resource.ts";

/** True or false once known; null while asking (or when the answer failed: then nothing is hidden). */
export function useLlmConfigured(): boolean | null {
  const status = useResource<{ configured: boolean }>("/api/llm-status");
  return status.data?.configured ?? null;
}

export function LlmMissingNotice() {
  const { t } = useTranslation();
  return (
    <p className="message message--info" data-testid="llm-missing" role="note">
      {t("llmStatus.missing")}
    </p>
  );
}
