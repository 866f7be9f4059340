import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultActionCatalogue } from "../draft/action-catalogue.ts";
import { defaultIntents } from "../draft/taxonomy.ts";
import { cohensKappa } from "../review/agreement.ts";
import { isAddedDevCall, loadSalesCalls, salesCallIndustries } from "./sales-calls.ts";
import { loadSeedIntentExamples } from "./seed.ts";

const labels = {
  intentIds: defaultIntents.map((intent) => intent.id),
  actionTypeIds: defaultActionCatalogue.map((type) => type.id),
};
const calls = loadSalesCalls(labels);
/** The 40 calls of the stratified split and the double-labelled intents; later dev additions aside. */
const original = calls.filter((call) => !isAddedDevCall(call));
const added = calls.filter(isAddedDevCall);

describe("the sales-call evaluation set", () => {
  it("labels every utterance, action item and moment with an id of the default taxonomy and catalogue", () => {
    // loadSalesCalls throws on any unknown label; this checks it really looked at every one.
    const intents = new Set(labels.intentIds);
    const types = new Set(labels.actionTypeIds);
    expect(calls.flatMap((call) => call.utterances).every((utterance) => intents.has(utterance.intent))).toBe(true);
    expect(calls.flatMap((call) => call.actionItems).every((item) => types.has(item.type))).toBe(true);
  });

  it("has 40 original calls of 6 to 12 utterances, half Chinese and half English, in every industry", () => {
    expect(original).toHaveLength(40);
    for (const call of calls) {
      expect(call.utterances.length, call.id).toBeGreaterThanOrEqual(6);
      expect(call.utterances.length, call.id).toBeLessThanOrEqual(12);
    }
    const zh = original.filter((call) => call.language === "zh").length;
    expect(zh * 2).toBe(original.length);
    for (const industry of salesCallIndustries) {
      for (const language of ["zh", "en"]) {
        expect(original.some((call) => call.industry === industry && call.language === language), `${industry}/${language}`).toBe(true);
      }
    }
  });

  it("splits the original calls by call, with dev and test in every language × industry stratum", () => {
    const dev = loadSalesCalls(labels, { split: "dev" }).filter((call) => !isAddedDevCall(call));
    const test = loadSalesCalls(labels, { split: "test" });
    expect(dev.length + test.length).toBe(original.length);
    for (const industry of salesCallIndustries) {
      for (const language of ["zh", "en"] as const) {
        const inStratum = (call: (typeof calls)[number]) => call.industry === industry && call.language === language;
        expect(dev.filter(inStratum).length, `${industry}/${language}`).toBe(2);
        expect(test.filter(inStratum).length, `${industry}/${language}`).toBe(2);
      }
    }
  });

  it("adds 20 dev calls after the test measurement, only to dev, in both languages and every industry", () => {
    expect(added).toHaveLength(20);
    expect(added.every((call) => call.split === "dev")).toBe(true);
    for (const industry of salesCallIndustries) {
      expect(added.some((call) => call.industry === industry && call.language === "zh"), industry).toBe(true);
      expect(added.some((call) => call.industry === industry && call.language === "en"), industry).toBe(true);
    }
    // Their utterances are new lines, not copies of the original calls.
    const originalLines = new Set(original.flatMap((call) => call.utterances.map((utterance) => utterance.text.trim())));
    expect(added.flatMap((call) => call.utterances).filter((utterance) => originalLines.has(utterance.text.trim()))).toEqual([]);
  });

  it("never repeats an utterance of the seed data the engine trains on", () => {
    const seed = new Set(loadSeedIntentExamples().map((example) => example.text.trim()));
    expect(calls.flatMap((call) => call.utterances).filter((utterance) => seed.has(utterance.text.trim()))).toEqual([]);
  });

  it("keeps both labelling passes, and the reconciled label is the one the calls carry", () => {
    const passes = readFileSync(new URL("../../datasets/sales-calls/labelling-passes.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { call: string; utterance: number; first: string; second: string; reconciled: string });
    // The added dev calls were labelled in one pass; the two passes cover the original 40.
    expect(passes.length).toBe(original.reduce((count, call) => count + call.utterances.length, 0));
    const byId = new Map(calls.map((call) => [call.id, call]));
    for (const pass of passes) {
      expect(pass.reconciled, `${pass.call} ${pass.utterance}`).toBe(byId.get(pass.call)!.utterances[pass.utterance].intent);
      expect([pass.first, pass.second]).toContain(pass.reconciled);
    }
  });

  it("agrees with a blind third pass on a random sample (the figure the README quotes)", () => {
    const sample = readFileSync(new URL("../../datasets/sales-calls/blind-pass-sample.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { call: string; utterance: number; label: string });
    expect(sample).toHaveLength(40);
    const byId = new Map(calls.map((call) => [call.id, call]));
    const pairs = sample.map((entry) => [entry.label, byId.get(entry.call)!.utterances[entry.utterance].intent] as const);
    expect(pairs.filter(([blind, reconciled]) => blind === reconciled)).toHaveLength(39);
    expect(cohensKappa(pairs)).toBeCloseTo(0.969, 3);
  });
});

describe("loadSalesCalls", () => {
  const directory = mkdtempSync(path.join(tmpdir(), "sales-calls-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const valid = calls[0];

  function loadWith(call: unknown) {
    writeFileSync(path.join(directory, "calls.jsonl"), `${JSON.stringify(call)}\n`);
    return () => loadSalesCalls(labels, { directory });
  }

  it("loads a valid call from another directory", () => {
    expect(loadWith(valid)()).toEqual([valid]);
  });

  it("rejects an intent outside the taxonomy, naming the call and utterance", () => {
    const utterances = valid.utterances.map((utterance, index) => (index === 2 ? { ...utterance, intent: "pricing_objecton" } : utterance));
    expect(loadWith({ ...valid, utterances })).toThrow(/utterance 2: unknown intent "pricing_objecton"/);
  });

  it("rejects an action type outside the catalogue and evidence outside the call", () => {
    expect(loadWith({ ...valid, actionItems: [{ type: "send_proposal", owner: "agent", due: null, evidence: [1] }] })).toThrow(/unknown type "send_proposal"/);
    expect(loadWith({ ...valid, actionItems: [{ type: "send_quote", owner: "agent", due: null, evidence: [99] }] })).toThrow(/evidence 99 is outside/);
  });

  it("rejects an added call (\"-dev-\" id) outside the dev split", () => {
    expect(loadWith({ ...valid, id: "en-saas-dev-99", split: "test" })).toThrow(/must be in the dev split/);
    expect(loadWith({ ...valid, id: "en-saas-dev-99", split: "dev" })()).toHaveLength(1);
  });

  it("rejects a talk-track moment on the rep's own words", () => {
    expect(loadWith({ ...valid, talkTrackMoments: [{ utterance: 0, moment: "objection" }] })).toThrow(/not the customer's/);
  });
});
