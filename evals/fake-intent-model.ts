/**
 * A stand-in model for tests and benchmarks of LLM eval runs: plugged into the local
 * OpenAI-compatible test server (tests/support/openai-compatible-server.ts) as its reply, it reads
 * the rendered prompt the way a model would — the intent taxonomy from the system message, the
 * utterances from the transcript — and answers from an answer key. Nothing leaves the machine.
 */
import type {
  ChatCompletionRequest,
  ContentReply,
  StatusReply,
} from "../tests/support/openai-compatible-server.ts";

export interface FakeIntentCase {
  /** The utterance being classified (the transcript's last line), as the dataset holds it. */
  text: string;
  /** The system message, e.g. to answer differently for one prompt-set version. */
  system: string;
  /** Intent ids of the taxonomy, in prompt order. */
  intentIds: string[];
}

export interface FakeIntentModelOptions {
  /** Utterance text → the label (as in the dataset) the model should answer. */
  answers: ReadonlyMap<string, string>;
  /** Answer a different intent than the key says (a worse prompt, a confused model). */
  wrong?: (input: FakeIntentCase) => boolean;
  /** Fail the request with this status instead of answering. */
  fail?: (input: FakeIntentCase) => StatusReply | null;
  /** Wait before answering, so concurrency can be observed. */
  delayMs?: number;
  /** Called once per answered request. */
  onRequest?: (input: FakeIntentCase) => void;
}

function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "object" && part && "text" in part ? String(part.text) : ""))
      .join("");
  }
  return "";
}

function unescape(text: string): string {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** The taxonomy lines `- id: English / 中文 — description` → name → id. */
function readTaxonomy(system: string): { idOfName: Map<string, string>; ids: string[] } {
  const idOfName = new Map<string, string>();
  const ids: string[] = [];
  for (const match of system.matchAll(/^- ([a-z][a-z0-9_]*): (.*?) \/ /gm)) {
    ids.push(match[1]);
    idOfName.set(match[2], match[1]);
    idOfName.set(match[1], match[1]);
  }
  return { idOfName, ids };
}

/** The transcript's utterances, `[ordinal] speaker: text`. */
function readTranscript(user: string): Array<{ ordinal: number; text: string }> {
  const block = /<transcript>\n([\s\S]*?)\n<\/transcript>/.exec(user)?.[1] ?? "";
  return block.split("\n").flatMap((line) => {
    const match = /^\[(\d+)\] [^:]*: (.*)$/.exec(line);
    return match ? [{ ordinal: Number(match[1]), text: unescape(match[2]) }] : [];
  });
}

export function fakeIntentModel(
  options: FakeIntentModelOptions,
): (request: ChatCompletionRequest) => Promise<ContentReply | StatusReply> {
  return async (request) => {
    const system = messageText(
      request.messages.find((message) => message.role === "system")?.content,
    );
    const user = messageText(
      request.messages.filter((message) => message.role === "user").at(-1)?.content,
    );
    const { idOfName, ids } = readTaxonomy(system);
    const utterances = readTranscript(user);
    const last = utterances.at(-1);
    const input: FakeIntentCase = { text: last?.text ?? "", system, intentIds: ids };
    options.onRequest?.(input);
    const failure = options.fail?.(input);
    if (failure) return failure;
    const label = last ? options.answers.get(last.text) : undefined;
    let id = label === undefined ? undefined : idOfName.get(label);
    if (id !== undefined && options.wrong?.(input)) {
      id = ids[(ids.indexOf(id) + 1) % ids.length];
    }
    const output = {
      intents:
        last && id !== undefined ? [{ segment: last.ordinal, intent: id, confidence: 0.9 }] : [],
      actionItems: [],
      talkTracks: [],
      notes: [],
    };
    return { content: JSON.stringify(output), delayMs: options.delayMs };
  };
}
