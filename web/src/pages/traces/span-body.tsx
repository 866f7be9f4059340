/**
 * What one span holds, shown the way its kind reads best: retrieved examples with their similarity,
 * the prompt's messages (role and content, the redacted transcript inside), a model call's request
 * and raw response pretty-printed with tokens, cost, attempt and repair, a parse error in red, the
 * local engine's top labels with confidence bars, and the stored result.
 */
import { useTranslation } from "react-i18next";
import { useInsightFormatters } from "../../components/insight-format.ts";
import type { TraceSpan } from "./types.ts";
import type { ChatMessage } from "./waterfall.ts";
import { messagesIn, prettyJson, topLabelsIn } from "./waterfall.ts";

function Messages({ messages }: { messages: ChatMessage[] }) {
  const { t } = useTranslation();
  const roleName = (role: string) => (["system", "user", "assistant", "tool"].includes(role) ? t(`traces.roles.${role as "system"}`) : role);
  return (
    <ol className="trace-messages" data-testid="span-messages">
      {messages.map((message, index) => (
        <li key={index} className={`trace-message trace-message--${message.role}`}>
          <span className="trace-message__role">{roleName(message.role)}</span>
          <pre className="trace-pre">{message.content}</pre>
        </li>
      ))}
    </ol>
  );
}

function Json({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <pre className="trace-pre trace-pre--json" data-testid={testId}>
      {prettyJson(value)}
    </pre>
  );
}

interface Example {
  text?: string;
  label?: string;
  similarity?: number;
  sourceKey?: string;
  masked?: boolean;
  erased?: boolean;
}

function Examples({ examples }: { examples: Example[] }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  return (
    <ol className="trace-examples" data-testid="span-examples">
      {examples.map((example, index) => (
        <li key={index} className="trace-example">
          <span className={example.masked || example.erased ? "trace-example__text muted" : "trace-example__text"}>{example.text ?? "—"}</span>
          {example.label && <span className="badge badge--neutral">{example.label}</span>}
          {typeof example.similarity === "number" && (
            <span className="trace-meter" title={t("traces.span.similarity", { value: format.percentPrecise(example.similarity) })}>
              <span className="trace-meter__bar" style={{ width: `${Math.max(0, Math.min(1, example.similarity)) * 100}%` }} />
              <span className="trace-meter__label">{t("traces.span.similarity", { value: format.percentPrecise(example.similarity) })}</span>
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

export function SpanBody({ span }: { span: TraceSpan }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const attributes = span.attributes ?? {};
  const hasOutput = span.output !== null && span.output !== undefined && span.output !== "";
  const hasInput = span.input !== null && span.input !== undefined;
  const tokens = span.inputTokens + span.outputTokens > 0;
  let body;
  switch (span.kind) {
    case "retrieval":
      body = Array.isArray(span.output) ? (
        <>
          <h4>{t("traces.span.examples")}</h4>
          <Examples examples={span.output as Example[]} />
        </>
      ) : null;
      break;
    case "prompt": {
      const messages = messagesIn(span.output);
      body = messages ? (
        <>
          <h4>{t("traces.span.messages")}</h4>
          <Messages messages={messages} />
        </>
      ) : null;
      break;
    }
    case "model_call": {
      const messages = messagesIn(span.input);
      body = (
        <>
          <h4>{t("traces.span.request")}</h4>
          {messages ? <Messages messages={messages} /> : hasInput ? <Json value={span.input} /> : <p className="muted">{t("traces.span.empty")}</p>}
          <h4>{t("traces.span.response")}</h4>
          {hasOutput ? <Json value={span.output} testId="span-response" /> : <p className="muted">{t("traces.span.empty")}</p>}
        </>
      );
      break;
    }
    case "local_model": {
      const labels = topLabelsIn(span.output);
      body = labels ? (
        <>
          <h4>{t("traces.span.topLabels")}</h4>
          <ol className="trace-labels" data-testid="span-top-labels">
            {labels.map((entry, index) => (
              <li key={index} className="trace-label">
                <span className="trace-label__name">{entry.label}</span>
                <span className="trace-meter" title={t("traces.span.confidence", { value: format.percentPrecise(entry.confidence) })}>
                  <span className="trace-meter__bar" style={{ width: `${Math.max(0, Math.min(1, entry.confidence)) * 100}%` }} />
                  <span className="trace-meter__label">{format.percentPrecise(entry.confidence)}</span>
                </span>
              </li>
            ))}
          </ol>
        </>
      ) : null;
      break;
    }
    default:
      body = null;
  }
  const modelVersion = attributes.modelVersion ?? (span.kind === "local_model" ? attributes.model : undefined);
  return (
    <div className="trace-span-body" data-testid="span-body">
      <p className="trace-span-facts small">
        {typeof attributes.attempt === "number" && <span className="badge badge--neutral">{t("traces.span.attempt", { attempt: attributes.attempt })}</span>}
        {attributes.repair === true && <span className="badge badge--warning">{t("traces.span.repair")}</span>}
        {typeof modelVersion === "string" && <span className="muted">{t("traces.span.modelVersion", { version: modelVersion })}</span>}
        {tokens && <span className="muted">{t("traces.span.tokens", { input: format.count(span.inputTokens), output: format.count(span.outputTokens) })}</span>}
        {span.costUsd > 0 && <span className="muted">{t("traces.span.cost", { cost: format.usd(span.costUsd) })}</span>}
      </p>
      {span.error && (
        <div className="trace-error" role="alert" data-testid="span-error">
          <strong>{t("traces.span.error")}:</strong> <span>{span.error}</span>
        </div>
      )}
      {body}
      {body === null && hasInput && (
        <>
          <h4>{t("traces.span.input")}</h4>
          <Json value={span.input} />
        </>
      )}
      {body === null && hasOutput && (
        <>
          <h4>{t("traces.span.output")}</h4>
          <Json value={span.output} />
        </>
      )}
      {Object.keys(attributes).length > 0 && (
        <details className="trace-attributes">
          <summary>{t("traces.span.attributes")}</summary>
          <Json value={attributes} />
        </details>
      )}
    </div>
  );
}
