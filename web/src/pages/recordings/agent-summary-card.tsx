/**
 * The call summary the summary agent wrote (an LLM, in the call's language): key points, customer
 * pains, objections and next steps, each with the utterances it rests on (click to play).
 */
import { useTranslation } from "react-i18next";
import { EvidenceLinks } from "../review/item-details.tsx";
import { WhyLink } from "../../components/why-link.tsx";

interface Point {
  text: string;
  evidence: number[];
}

export interface AgentSummary {
  language: "zh" | "en";
  keyPoints: Point[];
  customerPains: Point[];
  objections: Point[];
  nextSteps: Point[];
}

const sections = [
  "keyPoints",
  "customerPains",
  "objections",
  "nextSteps",
] as const;

export function AgentSummaryCard({
  summary,
  model,
  traceId,
  onOpenEvidence,
}: {
  summary: AgentSummary;
  model: string | null;
  traceId: string | null;
  onOpenEvidence(segment: number): void;
}) {
  const { t } = useTranslation();
  return (
    <section
      className="panel call-summary"
      aria-labelledby="agent-summary-title"
      data-testid="agent-summary"
    >
      <div className="section-header section-header--tight">
        <h2 className="panel__title" id="agent-summary-title">
          {t("agents.summary.title")}
        </h2>
        <span className="badge badge--accent">
          {t("agents.summary.source", { model: model ?? "—" })}
        </span>
      </div>
      {sections.map((section) => (
        <div key={section} data-testid={`agent-summary-${section}`}>
          <h3 className="call-summary__heading">
            {t(`agents.summary.${section}`)}
          </h3>
          {summary[section].length === 0 ? (
            <p className="muted small">{t("agents.summary.none")}</p>
          ) : (
            <ul className="agent-summary__list" lang={summary.language}>
              {summary[section].map((point, index) => (
                <li key={index}>
                  {point.text}{" "}
                  <EvidenceLinks
                    evidence={point.evidence.slice(0, 6)}
                    onOpen={onOpenEvidence}
                  />
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
      <WhyLink traceId={traceId} />
    </section>
  );
}
