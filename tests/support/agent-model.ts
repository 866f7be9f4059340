/**
 * A well-behaved model for the agents, for the local OpenAI-compatible server: answers each agent's
 * structured output (by its name) with a valid reply for the 3-utterance test calls, unless a reply
 * was scripted for that agent (`scripts.get("action_items")`), which goes first.
 */
import type { ChatCompletionRequest, ScriptedReply } from "./openai-compatible-server.ts";

export const agentAnswers: Record<string, unknown> = {
  intent_tagger: { intents: [{ segment: 1, intent: "pricing_question", confidence: 0.8 }], notes: [] },
  action_items: {
    actionItems: [
      { type: "send_quote", title: "Send the revised quote", owner: "agent", dueDate: null, customer: null, notes: null, evidence: [2], confidence: 0.9 },
    ],
    notes: [],
  },
  talk_tracks: {
    talkTracks: [{ moment: "objection", evidence: [1], suggestion: "Let us look at the value per seat.", rationale: "Reframes price.", confidence: 0.7 }],
    notes: [],
  },
  call_summary: {
    language: "en",
    keyPoints: [{ text: "The customer finds the quote too high.", evidence: [1, 99] }],
    customerPains: [{ text: "Tight budget this year.", evidence: [1] }],
    objections: [{ text: "Price.", evidence: [1] }],
    nextSteps: [{ text: "Rep sends a revised quote by Friday.", evidence: [2] }],
  },
  // "Test connection" on the connectors page (core/connectors/test-connection.ts).
  connection_test: { ok: true, answer: "pong" },
  follow_up_email: { language: "en", subject: "Our call today", body: "Thank you for your time. I will send the revised quote by Friday.\n\n[name]" },
};

/** The structured output a request asks for (the `json_schema` name or the forced tool). */
export function outputName(request: ChatCompletionRequest): string {
  const forced = typeof request.tool_choice === "object" ? request.tool_choice.function?.name : undefined;
  return request.response_format?.json_schema?.name ?? forced ?? "unknown";
}

export function agentModel(scripts: Map<string, ScriptedReply[]>): ScriptedReply {
  return (request) => {
    const name = outputName(request);
    const scripted = scripts.get(name)?.shift();
    if (scripted) return typeof scripted === "function" ? scripted(request) : scripted;
    return { content: JSON.stringify(agentAnswers[name] ?? {}) };
  };
}
