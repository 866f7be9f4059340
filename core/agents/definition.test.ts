import { describe, expect, it } from "vitest";
import { agentRegistry } from "../../agents/registry.ts";
import { ValidationError } from "../errors.ts";
import type { AgentKind } from "./definition.ts";
import { checkRegistry, definitionHash, dependenciesOf, parseAgentDefinition } from "./definition.ts";

function fake(name: string, after: "transcription" | string[]): AgentKind {
  const definition = parseAgentDefinition(
    {
      name,
      purpose: { en: "x", zh: "x" },
      engine: { kind: "auto" },
      promptSet: { name, label: "production" },
      retrieval: { fewShot: false, k: 0, minSimilarity: 0 },
      trigger: { after },
    },
    name,
  );
  return { ...agentRegistry[0], name, definition };
}

describe("agent definitions and the registry", () => {
  it("registers the five default agents, the e-mail after the action items", () => {
    expect(agentRegistry.map((agent) => agent.name)).toEqual(["intent-tagger", "action-items", "talk-tracks", "call-summary", "follow-up-email"]);
    expect(dependenciesOf(agentRegistry[4].definition)).toEqual(["action-items"]);
    expect(agentRegistry.filter((agent) => agent.local).map((agent) => agent.name)).toEqual(["intent-tagger", "action-items", "talk-tracks"]);
    // Strict structured outputs: every property is required.
    const schema = agentRegistry[3].outputJsonSchema as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required.sort()).toEqual(Object.keys(schema.properties).sort());
  });

  it("refuses two agents with one name, a dependency that is not registered, and a circle", () => {
    expect(() => checkRegistry([fake("a", "transcription"), fake("a", "transcription")])).toThrow(/registered twice/);
    expect(() => checkRegistry([fake("a", ["nope"])])).toThrow(/not registered/);
    expect(() => checkRegistry([fake("a", ["b"]), fake("b", ["a"])])).toThrow(/circle: a → b → a/);
    expect(() => checkRegistry([fake("a", "transcription"), fake("b", ["a"])])).not.toThrow();
  });

  it("refuses a bad definition with the file and the field, and hashes content, not key order", () => {
    expect(() => parseAgentDefinition({ name: "Bad Name" }, "agents/x/agent.json")).toThrow(ValidationError);
    expect(() => parseAgentDefinition({ name: "Bad Name" }, "agents/x/agent.json")).toThrow(/agents\/x\/agent.json: name/);
    const definition = agentRegistry[0].definition;
    const reordered = parseAgentDefinition(Object.fromEntries(Object.entries(definition).reverse()), "copy");
    expect(definitionHash(reordered)).toBe(definitionHash(definition));
    expect(definitionHash({ ...definition, enabled: false })).not.toBe(definitionHash(definition));
  });
});
