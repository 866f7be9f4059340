import { describe, expect, it } from "vitest";
import type { TargetLike } from "./bind-hotkeys.ts";
import { actionForKeyPress, isTypingTarget, keyMapFor } from "./bind-hotkeys.ts";
import type { KeyPress } from "./keys.ts";
import { defaultBindings, hotkeyActions, rebind } from "./registry.ts";

const element = (tagName: string, extra: Partial<TargetLike> = {}): TargetLike => ({
  tagName,
  ...extra,
});
const press = (
  key: string,
  target: TargetLike | null = null,
  modifiers: Partial<KeyPress> = {},
) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  target,
  ...modifiers,
});
const allActions = keyMapFor(
  defaultBindings(),
  hotkeyActions.map((action) => action.id),
);

describe("isTypingTarget", () => {
  it("knows which elements take text", () => {
    expect(isTypingTarget(element("INPUT", { type: "text" }))).toBe(true);
    expect(isTypingTarget(element("INPUT", { type: "search" }))).toBe(true);
    expect(isTypingTarget(element("TEXTAREA"))).toBe(true);
    expect(isTypingTarget(element("SELECT"))).toBe(true);
    expect(isTypingTarget(element("DIV", { isContentEditable: true }))).toBe(true);
    expect(
      isTypingTarget(
        element("DIV", { getAttribute: (name) => (name === "role" ? "textbox" : null) }),
      ),
    ).toBe(true);
    expect(isTypingTarget(element("INPUT", { type: "checkbox" }))).toBe(false);
    expect(isTypingTarget(element("BUTTON"))).toBe(false);
    expect(isTypingTarget(element("BODY"))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe("actionForKeyPress", () => {
  it("maps a press to its action through the bindings", () => {
    expect(actionForKeyPress(press("a"), allActions)).toBe("review:accept");
    expect(actionForKeyPress(press("?", null, { shiftKey: true }), allActions)).toBe("global:help");
    expect(actionForKeyPress(press("q"), allActions)).toBeNull();
    expect(actionForKeyPress(press("x"), allActions)).toBe("review:no-fit");
  });

  it("ignores keys typed into fields, except Ctrl or Cmd+Enter", () => {
    const input = element("INPUT", { type: "text" });
    expect(actionForKeyPress(press("a", input), allActions)).toBeNull();
    expect(
      actionForKeyPress(press("?", element("TEXTAREA"), { shiftKey: true }), allActions),
    ).toBeNull();
    expect(actionForKeyPress(press("Enter", input, { ctrlKey: true }), allActions)).toBe(
      "review:save",
    );
    expect(
      actionForKeyPress(press("Enter", element("TEXTAREA"), { metaKey: true }), allActions),
    ).toBe("review:save");
  });

  it("leaves Space to a focused button, but not letters", () => {
    expect(actionForKeyPress(press(" ", element("BUTTON")), allActions)).toBeNull();
    expect(actionForKeyPress(press(" ", element("BODY")), allActions)).toBe("review:play-pause");
    expect(actionForKeyPress(press("a", element("BUTTON")), allActions)).toBe("review:accept");
  });

  it("ignores presses while an input method composes", () => {
    expect(actionForKeyPress({ ...press("j"), isComposing: true }, allActions)).toBeNull();
  });

  it("follows a rebinding and only answers for the handled actions", () => {
    const result = rebind(defaultBindings(), "review:accept", "shift+a");
    if (!result.ok) throw new Error("expected the rebind to succeed");
    const map = keyMapFor(result.bindings, ["review:accept"]);
    expect(actionForKeyPress(press("A", null, { shiftKey: true }), map)).toBe("review:accept");
    expect(actionForKeyPress(press("a"), map)).toBeNull();
    expect(actionForKeyPress(press("r"), map)).toBeNull();
  });
});
