import { describe, expect, it } from "vitest";
import { promptMessagesOf, withoutPromptMessages, withPromptMessages } from "./prompt-once.ts";

const prompt = [
  { role: "system", content: "You extract action items." },
  { role: "user", content: "<transcript>\n[0] agent: I'll send the quote.\n</transcript>" },
];
const spans = [
  { kind: "retrieval", output: [] },
  { kind: "prompt", output: prompt },
];

describe("the prompt stored once", () => {
  it("leaves a request's leading prompt messages out and puts them back as they were", () => {
    const request = { model: "m", temperature: 0, messages: prompt.map((message) => ({ ...message })) };
    const stored = withoutPromptMessages(request, promptMessagesOf(spans));
    expect(stored).toEqual({ model: "m", temperature: 0, messages: [], $promptMessages: 2 });
    expect(JSON.stringify(stored)).not.toContain("I'll send the quote");
    expect(withPromptMessages(stored, promptMessagesOf(spans))).toEqual(request);
  });

  it("keeps what a repair call adds after the prompt", () => {
    const added = [
      { role: "assistant", content: "Sure! {" },
      { role: "user", content: "That could not be used: fix it." },
    ];
    const request = { model: "m", messages: [...prompt, ...added] };
    const stored = withoutPromptMessages(request, prompt);
    expect(stored).toEqual({ model: "m", messages: added, $promptMessages: 2 });
    expect(withPromptMessages(stored, prompt)).toEqual(request);
  });

  it("stores a request whole when it does not begin with the prompt, or when there is no prompt span", () => {
    const other = { model: "m", messages: [{ role: "system", content: "Something else." }, prompt[1]] };
    expect(withoutPromptMessages(other, prompt)).toBe(other);
    expect(promptMessagesOf([{ kind: "model_call", output: "{}" }])).toBeNull();
    expect(withoutPromptMessages(other, null)).toBe(other);
    expect(withoutPromptMessages("not json", prompt)).toBe("not json");
    expect(withPromptMessages(other, prompt)).toBe(other);
  });
});
