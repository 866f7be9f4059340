/**
 * The prompt, stored once. A model call's request body (its span's input) begins with the rendered
 * messages the prompt span already holds — on a long call that copy was most of a trace's bytes and
 * of the time to write it. The store keeps the request without those leading messages and with
 * their count (`"$promptMessages": n`); reading puts them back, so a trace reads (viewer, API,
 * masking) exactly as it was recorded. Only messages equal to the prompt's, in order, are left out:
 * a repair call's own messages (the first answer, the repair instruction) stay in its request.
 */

const countKey = "$promptMessages";

interface Message {
  role: string;
  content: string;
}

function isMessage(value: unknown): value is Message {
  return typeof value === "object" && value !== null && Object.keys(value).length === 2 && typeof (value as Message).role === "string" && typeof (value as Message).content === "string";
}

function requestMessages(input: unknown): unknown[] | null {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return null;
  const messages = (input as { messages?: unknown }).messages;
  return Array.isArray(messages) ? messages : null;
}

/** The prompt span's messages in a list of spans, or null. */
export function promptMessagesOf(spans: ReadonlyArray<{ kind: string; output: unknown }>): Message[] | null {
  const output = spans.find((span) => span.kind === "prompt")?.output;
  return Array.isArray(output) && output.length > 0 && output.every(isMessage) ? output : null;
}

/** A model call's request as stored: the leading messages equal to the prompt's replaced by their count. */
export function withoutPromptMessages(input: unknown, prompt: readonly Message[] | null): unknown {
  const messages = requestMessages(input);
  if (!prompt || !messages) return input;
  let shared = 0;
  while (
    shared < prompt.length &&
    shared < messages.length &&
    isMessage(messages[shared]) &&
    (messages[shared] as Message).role === prompt[shared].role &&
    (messages[shared] as Message).content === prompt[shared].content
  ) {
    shared += 1;
  }
  if (shared === 0) return input;
  return { ...(input as object), messages: messages.slice(shared), [countKey]: shared };
}

/** A model call's request as recorded: the prompt's messages put back in front. */
export function withPromptMessages(input: unknown, prompt: readonly Message[] | null): unknown {
  const messages = requestMessages(input);
  const count = messages ? (input as Record<string, unknown>)[countKey] : undefined;
  if (typeof count !== "number" || !prompt) return input;
  const { [countKey]: _count, ...request } = input as Record<string, unknown>;
  return { ...request, messages: [...prompt.slice(0, count).map(({ role, content }) => ({ role, content })), ...messages!] };
}
