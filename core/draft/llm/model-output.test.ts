import { describe, expect, it } from "vitest";
import { modelDraftOutputJsonSchema, parseModelOutput } from "./model-output.ts";
import { validModelOutput } from "./test-fixtures.ts";

describe("parseModelOutput", () => {
  it("parses plain JSON and JSON wrapped in a code fence", () => {
    const json = JSON.stringify(validModelOutput());
    expect(parseModelOutput(json)).toEqual({ ok: true, value: validModelOutput() });
    expect(parseModelOutput("```json\n" + json + "\n```")).toEqual({
      ok: true,
      value: validModelOutput(),
    });
  });

  it("reports empty output, invalid JSON and schema issues with their paths", () => {
    expect(parseModelOutput("  ")).toEqual({
      ok: false,
      issues: [expect.stringContaining("empty")],
    });
    expect(parseModelOutput("{nope")).toEqual({
      ok: false,
      issues: [expect.stringContaining("not valid JSON")],
    });
    const output = { ...validModelOutput(), extra: 1 } as Record<string, unknown>;
    delete output.notes;
    const result = parseModelOutput(JSON.stringify(output));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.join("\n")).toMatch(/notes/);
    expect(!result.ok && result.issues.join("\n")).toMatch(/extra/);
  });
});

describe("modelDraftOutputJsonSchema", () => {
  it("is strict-mode friendly: every property required and no extra keys, at every level", () => {
    const objects: Array<Record<string, unknown>> = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        const record = node as Record<string, unknown>;
        if (record.type === "object") objects.push(record);
        Object.values(record).forEach(walk);
      }
    };
    walk(modelDraftOutputJsonSchema);
    expect(objects.length).toBe(4);
    for (const object of objects) {
      expect(object.additionalProperties).toBe(false);
      expect([...(object.required as string[])].sort()).toEqual(
        Object.keys(object.properties as object).sort(),
      );
    }
    expect(modelDraftOutputJsonSchema.$schema).toBeUndefined();
  });
});
