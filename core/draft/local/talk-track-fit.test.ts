import { describe, expect, it } from "vitest";
import { talkTrackFits } from "./talk-track-fit.ts";

const call = { language: "en" as const, industry: "saas", stage: "negotiation" };

describe("talkTrackFits", () => {
  it("keeps a shipped track written for the workspace's industry or for any, and drops one for another industry", () => {
    const track = { customerText: "That's way over our budget.", language: "en", seed: true };
    expect(talkTrackFits({ ...track, industry: "saas" }, call)).toBe(true);
    expect(talkTrackFits({ ...track, industry: "general" }, call)).toBe(true);
    expect(talkTrackFits({ ...track, industry: "insurance" }, call)).toBe(false);
  });

  it("offers only general shipped tracks before the workspace declares its industry", () => {
    const track = { customerText: "Too expensive.", language: "en", seed: true };
    expect(talkTrackFits({ ...track, industry: "general" }, { ...call, industry: null })).toBe(true);
    expect(talkTrackFits({ ...track, industry: "saas" }, { ...call, industry: null })).toBe(false);
  });

  it("always keeps the workspace's own approved tracks, which carry no industry", () => {
    expect(talkTrackFits({ customerText: "Too expensive for our clinic." }, { ...call, industry: "medical_devices" })).toBe(true);
  });

  it("requires the moment's language, declared or read from the customer line", () => {
    expect(talkTrackFits({ customerText: "太贵了", language: "zh", seed: true, industry: "general" }, call)).toBe(false);
    expect(talkTrackFits({ customerText: "太贵了，超预算了" }, call)).toBe(false);
    expect(talkTrackFits({ customerText: "太贵了，超预算了" }, { ...call, language: "zh" })).toBe(true);
  });

  it("respects the stages a track names, when the call's stage is known", () => {
    const track = { customerText: "Can we get out of the contract early?", stages: ["negotiation", "closing"] };
    expect(talkTrackFits(track, call)).toBe(true);
    expect(talkTrackFits(track, { ...call, stage: "discovery" })).toBe(false);
    expect(talkTrackFits(track, { ...call, stage: null })).toBe(true);
  });
});
