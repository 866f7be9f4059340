import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";

/**
 * What to tell a person about an error: our own words for failures we can name in their language
 * (no network, rate limit, too large), otherwise the server's message, which says what to fix.
 */
export function describeError(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("errors.network");
    if (error.status === 429) return t("errors.rateLimited");
    if (error.status === 413) return t("errors.tooLarge");
    const issues = error.issues.map((issue) =>
      issue.path ? `${issue.path}: ${issue.message}` : issue.message,
    );
    return issues.length > 0 ? `${error.message} (${issues.join("; ")})` : error.message;
  }
  return t("errors.unexpected");
}

export function ErrorMessage({ error, className = "" }: { error: unknown; className?: string }) {
  const { t } = useTranslation();
  return (
    <p className={`message message--error ${className}`} role="alert">
      {describeError(error, t)}
    </p>
  );
}
