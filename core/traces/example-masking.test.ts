import { describe, expect, it } from "vitest";
import { examplesWhere, replaceTexts } from "./example-masking.ts";

describe("replaceTexts", () => {
  it("replaces every copy of a text, also JSON-escaped inside a string, and leaves the input untouched", () => {
    const text = 'He said "call me Tuesday"\nbudget 五万';
    const trace = {
      retrieval: [{ text, label: "next_step" }],
      prompt: [{ role: "system", content: `Examples:\n- ${text} => next_step` }],
      body: JSON.stringify({ messages: [{ role: "system", content: `Examples:\n- ${text}` }] }),
      other: 42,
    };
    const masked = replaceTexts(trace, [text], "(masked)") as typeof trace;
    expect(JSON.stringify(masked)).not.toContain("五万");
    expect(masked.prompt[0].content).toBe("Examples:\n- (masked) => next_step");
    expect(JSON.parse(masked.body).messages[0].content).toBe("Examples:\n- (masked)");
    expect(masked.other).toBe(42);
    expect(trace.retrieval[0].text).toBe(text);
  });

  it("replaces the longer of two overlapping texts whole, and ignores blank texts", () => {
    expect(replaceTexts("a price list please", ["price", "a price list please", " "], "X")).toBe("X");
    expect(replaceTexts("keep me", ["", "  "], "X")).toBe("keep me");
  });
});

describe("examplesWhere", () => {
  it("picks the matching example objects of a retrieval output", () => {
    const output = [{ text: "a", teamId: "t1" }, "junk", null, { text: "b", teamId: "t2" }];
    expect(examplesWhere(output, (example) => example.teamId === "t2")).toEqual([{ text: "b", teamId: "t2" }]);
    expect(examplesWhere({ not: "an array" }, () => true)).toEqual([]);
  });
});
