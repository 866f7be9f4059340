/**
 * What an agent is. Its definition (`agents/<agent>/agent.json`) is data: purpose, engine binding,
 * prompt set + label, retrieval, trigger and scope — stored as immutable versions in the database.
 * Its code (`agents/<agent>/agent.ts`, made with `defineAgent`) is what data cannot say: the output
 * schema the model must fill, how that output is checked against the call and stored, and an
 * optional local implementation for when no chat connector exists.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import type { Embedder } from "../draft/embeddings.ts";
import { parseOutputWith, toModelJsonSchema } from "../draft/llm/model-output.ts";
import type { ActionItem, DraftInput } from "../draft/schema.ts";
import { ValidationError } from "../errors.ts";
import type { TraceHandle } from "../traces/trace.ts";

export const agentNamePattern = /^[a-z0-9][a-z0-9-]*$/;
const agentName = z.string().regex(agentNamePattern, "agent names are lowercase kebab-case");

export const agentEngineSchema = z.strictObject({
  /** `auto`: the LLM when a chat connector exists (the named one, else the workspace's default), else the local engine. */
  kind: z.enum(["auto", "llm", "local"]),
  connectorId: z.string().min(1).nullable().default(null),
  /** Null: the connector's default model, else the prompt manifest's. */
  model: z.string().min(1).nullable().default(null),
});

/** Where an agent runs. Unset lists mean everywhere; teams match their subtree. */
export const agentScopeSchema = z.strictObject({
  teams: z.array(z.uuid()).max(200).optional(),
  customerStages: z.array(z.string().min(1).max(200)).max(200).optional(),
  languages: z.array(z.enum(["zh", "en", "mixed", "unknown"])).max(4).optional(),
});
export type AgentScope = z.infer<typeof agentScopeSchema>;

export const agentDefinitionSchema = z.strictObject({
  name: agentName,
  purpose: z.strictObject({ en: z.string().min(1), zh: z.string().min(1) }),
  enabled: z.boolean().default(true),
  engine: agentEngineSchema,
  /** The agent's own prompt set (loaded from `agents/<agent>/` like `prompts/<set>/`) and the label it follows. */
  promptSet: z.strictObject({ name: z.string().regex(agentNamePattern), label: z.enum(["production", "staging"]) }),
  retrieval: z.strictObject({
    /** Few-shot examples from trainer-approved samples, by pgvector similarity to the call. */
    fewShot: z.boolean(),
    k: z.number().int().min(0).max(50),
    minSimilarity: z.number().min(-1).max(1),
  }),
  /** After transcription (starts the pipeline), after other agents (waits for them), or only when asked. */
  trigger: z.strictObject({ after: z.union([z.literal("transcription"), z.literal("on-demand"), z.array(agentName).min(1)]) }),
  enabledFor: agentScopeSchema.default({}),
});
export type AgentDefinition = z.infer<typeof agentDefinitionSchema>;

/** The agents a definition waits for (none when it starts after transcription or on demand). */
export function dependenciesOf(definition: Pick<AgentDefinition, "trigger">): string[] {
  return Array.isArray(definition.trigger.after) ? definition.trigger.after : [];
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function definitionHash(definition: AgentDefinition): string {
  return createHash("sha256").update(canonicalJson(definition), "utf8").digest("hex");
}

export function parseAgentDefinition(value: unknown, source: string): AgentDefinition {
  const parsed = agentDefinitionSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
    throw new ValidationError(`${source}: ${issues}`, { file: source, issues: parsed.error.issues });
  }
  return parsed.data;
}

/** The call as agents see it: the transcript and vocabulary, and what the agents it waits for made. */
export interface AgentCall {
  workspaceId: string;
  recordingId: string;
  transcriptId: string;
  teamId: string;
  customerStage: string;
  callDate: Date;
  input: DraftInput;
  /** Standing action items of this pipeline (the action-items agent's, with people's edits; rejected ones left out). */
  upstreamActionItems: ActionItem[];
}

export type AgentItemKind = "intent" | "action_item" | "talk_track";

/** A draft item an agent made, before it is stored. */
export interface AgentItem {
  kind: AgentItemKind;
  evidence: number[];
  /** The segment the item sits on (for intents: its utterance; otherwise the first evidence). */
  ordinal: number | null;
  content: Record<string, unknown>;
  confidence: number | null;
}

/** What one invocation made: draft items (reviewed by people) and/or an output shown as is (summary, e-mail). */
export interface AgentProduct {
  items: AgentItem[];
  output: Record<string, unknown> | null;
  notes: string[];
}

export interface LocalAgentContext {
  db: Db;
  embedder: Embedder;
  call: AgentCall;
  trace: TraceHandle;
}

export interface AgentKind<Output = unknown> {
  name: string;
  folder: string;
  /** As in `agent.json`; the database holds the versions actually used. */
  definition: AgentDefinition;
  /** The JSON the model must return (every field required, so strict structured outputs work). */
  outputSchema: z.ZodType<Output>;
  outputJsonSchema: Record<string, unknown>;
  /** The structured output's name (the `json_schema` name or the forced tool's name). */
  outputName: string;
  /** Model output → what is stored, checked against the call (taxonomy, catalogue, ordinals). */
  toProduct(output: Output, call: AgentCall): AgentProduct;
  /** Model text → a product, or the issues to send back in the one repair. */
  validate(raw: string, call: AgentCall): { ok: true; value: AgentProduct } | { ok: false; issues: string[] };
  /** The local engine's version of this agent; without one the agent needs an LLM connector. */
  local?: (context: LocalAgentContext) => Promise<{ product: AgentProduct; model: string }>;
}

export function defineAgent<Output>(spec: {
  /** The agent's folder (pass `import.meta.dirname`): `agent.json` is read from it. */
  folder: string;
  outputSchema: z.ZodType<Output>;
  outputName?: string;
  toProduct(output: Output, call: AgentCall): AgentProduct;
  /** Extra checks a schema cannot express; issues go back to the model in the repair. */
  check?: (output: Output, call: AgentCall) => string[];
  local?: AgentKind<Output>["local"];
}): AgentKind<Output> {
  const file = path.join(spec.folder, "agent.json");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ValidationError(`${file}: ${(error as Error).message}`, { file });
  }
  const definition = parseAgentDefinition(json, file);
  if (path.basename(spec.folder) !== definition.name) {
    throw new ValidationError(`${file}: name "${definition.name}" must match its folder "${path.basename(spec.folder)}"`, { file });
  }
  return {
    name: definition.name,
    folder: spec.folder,
    definition,
    outputSchema: spec.outputSchema,
    outputJsonSchema: toModelJsonSchema(spec.outputSchema),
    outputName: spec.outputName ?? definition.name.replace(/-/g, "_"),
    toProduct: spec.toProduct,
    validate(raw, call) {
      const parsed = parseOutputWith(spec.outputSchema, raw);
      if (!parsed.ok) return parsed;
      const issues = spec.check?.(parsed.value, call) ?? [];
      if (issues.length > 0) return { ok: false, issues };
      return { ok: true, value: spec.toProduct(parsed.value, call) };
    },
    local: spec.local,
  };
}

/** Checks a registry: unique names, dependencies that exist, no cycles. */
export function checkRegistry(agents: readonly AgentKind[]): void {
  const names = new Set<string>();
  for (const agent of agents) {
    if (names.has(agent.name)) throw new ValidationError(`agent "${agent.name}" is registered twice`);
    names.add(agent.name);
  }
  for (const agent of agents) {
    for (const dependency of dependenciesOf(agent.definition)) {
      if (!names.has(dependency)) throw new ValidationError(`agent "${agent.name}" waits for "${dependency}", which is not registered`);
    }
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const byName = new Map(agents.map((agent) => [agent.name, agent]));
  const visit = (name: string, trail: string[]) => {
    if (done.has(name)) return;
    if (visiting.has(name)) throw new ValidationError(`agents wait for each other in a circle: ${[...trail, name].join(" → ")}`);
    visiting.add(name);
    for (const dependency of dependenciesOf(byName.get(name)!.definition)) visit(dependency, [...trail, name]);
    visiting.delete(name);
    done.add(name);
  };
  for (const agent of agents) visit(agent.name, []);
}
