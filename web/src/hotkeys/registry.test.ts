import { describe, expect, it } from "vitest";
import { formatKey, keyFromEvent, normaliseKey } from "./keys.ts";
import type { KeyPress } from "./keys.ts";
import {
  defaultBindings,
  findConflict,
  hotkeyActions,
  listConflicts,
  rebind,
  resolveBindings,
  toOverrides,
} from "./registry.ts";

const press = (key: string, modifiers: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...modifiers,
});

describe("keys", () => {
  it("normalises the ways people write a combination", () => {
    expect(normaliseKey("Ctrl+Enter")).toBe("mod+enter");
    expect(normaliseKey("cmd + return")).toBe("mod+enter");
    expect(normaliseKey("Shift+Alt+Ctrl+K")).toBe("mod+alt+shift+k");
    expect(normaliseKey("Space")).toBe("space");
    expect(normaliseKey("A")).toBe("a");
    expect(normaliseKey("?")).toBe("?");
    expect(normaliseKey("shift+/")).toBe("/");
    expect(normaliseKey("ctrl++")).toBe("mod++");
  });

  it("refuses what is not a key combination", () => {
    expect(normaliseKey("")).toBeNull();
    expect(normaliseKey("ctrl+")).toBeNull();
    expect(normaliseKey("hyper+a")).toBeNull();
    expect(normaliseKey("ctrl+ctrl+a")).toBeNull();
    expect(normaliseKey("banana")).toBeNull();
  });

  it("reads key presses, including Shift-produced symbols and Ctrl or Cmd", () => {
    expect(keyFromEvent(press("a"))).toBe("a");
    expect(keyFromEvent(press("A", { shiftKey: true }))).toBe("shift+a");
    expect(keyFromEvent(press("?", { shiftKey: true }))).toBe("?");
    expect(keyFromEvent(press("Enter", { ctrlKey: true }))).toBe("mod+enter");
    expect(keyFromEvent(press("Enter", { metaKey: true }))).toBe("mod+enter");
    expect(keyFromEvent(press(" "))).toBe("space");
    expect(keyFromEvent(press("7"))).toBe("7");
  });

  it("ignores modifier-only presses and keys typed while an input method composes", () => {
    expect(keyFromEvent(press("Shift", { shiftKey: true }))).toBeNull();
    expect(keyFromEvent(press("Control", { ctrlKey: true }))).toBeNull();
    expect(keyFromEvent(press("Process"))).toBeNull();
    expect(keyFromEvent(press("j", { isComposing: true }))).toBeNull();
  });

  it("formats for people on each platform", () => {
    expect(formatKey("mod+enter")).toBe("Ctrl+Enter");
    expect(formatKey("mod+enter", { mac: true })).toBe("⌘Enter");
    expect(formatKey("space")).toBe("Space");
    expect(formatKey("shift+a")).toBe("Shift+A");
  });
});

describe("registry", () => {
  it("declares every action once, with both languages and a valid default key", () => {
    const ids = hotkeyActions.map((action) => action.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const action of hotkeyActions) {
      expect(action.description.en.length, action.id).toBeGreaterThan(0);
      expect(action.description["zh-CN"].length, action.id).toBeGreaterThan(0);
      expect(normaliseKey(action.defaultKey), action.id).toBe(action.defaultKey);
    }
  });

  it("has the documented defaults and no conflicting defaults", () => {
    const bindings = defaultBindings();
    expect(bindings["review:accept"]).toBe("a");
    expect(bindings["review:save"]).toBe("mod+enter");
    expect(bindings["review:play-pause"]).toBe("space");
    expect(bindings["review:pick-intent-9"]).toBe("9");
    expect(bindings["global:help"]).toBe("?");
    expect(listConflicts(bindings)).toEqual([]);
  });

  it("refuses a key already bound in the same scope and names the holder", () => {
    const result = rebind(defaultBindings(), "review:accept", "R");
    expect(result.ok).toBe(false);
    if (result.ok || result.reason !== "conflict") throw new Error("expected a conflict");
    expect(result.conflictWith.id).toBe("review:reject");
  });

  it("treats global keys as taken on every screen", () => {
    expect(findConflict(defaultBindings(), "review:accept", "?")?.id).toBe("global:help");
    expect(findConflict(defaultBindings(), "global:help", "a")?.id).toBe("review:accept");
  });

  it("accepts a free key, re-binding to the current key, and reports invalid or reserved keys", () => {
    const bound = rebind(defaultBindings(), "review:accept", "shift+a");
    expect(bound.ok && bound.bindings["review:accept"]).toBe("shift+a");
    expect(rebind(defaultBindings(), "review:accept", "a").ok).toBe(true);
    expect(rebind(defaultBindings(), "review:accept", "ctrl+").ok).toBe(false);
    const reserved = rebind(defaultBindings(), "review:accept", "Escape");
    expect(!reserved.ok && reserved.reason).toBe("reserved-key");
    const unknown = rebind(defaultBindings(), "review:dance", "x");
    expect(!unknown.ok && unknown.reason).toBe("unknown-action");
  });

  it("stores only what differs from the defaults", () => {
    const result = rebind(defaultBindings(), "review:undo", "u");
    if (!result.ok) throw new Error("expected the rebind to succeed");
    expect(toOverrides(result.bindings)).toEqual({ "review:undo": "u" });
    expect(toOverrides(defaultBindings())).toEqual({});
  });

  it("resolves a stored map: keeps a swap, drops unknown actions and bad keys", () => {
    const { bindings, rejected } = resolveBindings({
      "review:accept": "r",
      "review:reject": "a",
      "review:dance": "x",
      "review:undo": 42,
      "review:save": "Tab",
    });
    expect(bindings["review:accept"]).toBe("r");
    expect(bindings["review:reject"]).toBe("a");
    expect(bindings["review:undo"]).toBe("z");
    expect(bindings["review:save"]).toBe("mod+enter");
    expect(rejected.map((entry) => [entry.actionId, entry.reason])).toEqual([
      ["review:dance", "unknown-action"],
      ["review:undo", "invalid-key"],
      ["review:save", "reserved-key"],
    ]);
    expect(listConflicts(bindings)).toEqual([]);
  });

  it("reverts colliding overrides to their defaults until the bindings are valid", () => {
    const { bindings, rejected } = resolveBindings({ "review:undo": "a", "review:next-call": "j" });
    expect(bindings["review:undo"]).toBe("z");
    expect(bindings["review:next-call"]).toBe("n");
    expect(rejected.map((entry) => entry.reason)).toEqual(["conflict", "conflict"]);
    expect(listConflicts(bindings)).toEqual([]);

    const both = resolveBindings({ "review:undo": "q", "review:next-call": "q" });
    expect(both.bindings["review:undo"]).toBe("q");
    expect(both.bindings["review:next-call"]).toBe("n");
  });

  it("treats a non-object stored value as no overrides", () => {
    expect(resolveBindings(null).bindings).toEqual(defaultBindings());
    expect(resolveBindings(["a"]).bindings).toEqual(defaultBindings());
  });
});
