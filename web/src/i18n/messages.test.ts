import { describe, expect, it } from "vitest";
import en from "./en.ts";
import zhCN from "./zh-CN.ts";
import { clock, createFormatters } from "./format.ts";

function flatten(messages: object, prefix = ""): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") entries.set(path, value);
    else for (const [nested, text] of flatten(value, path)) entries.set(nested, text);
  }
  return entries;
}

const placeholders = (text: string) =>
  [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();

describe("messages", () => {
  const english = flatten(en);
  const chinese = flatten(zhCN);

  it("has the same keys in both languages", () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it("uses the same placeholders in both languages and leaves no text empty", () => {
    for (const [key, text] of english) {
      expect(placeholders(chinese.get(key)!), key).toEqual(placeholders(text));
      expect(text.trim(), key).not.toBe("");
      expect(chinese.get(key)!.trim(), key).not.toBe("");
    }
  });

  it("really translates: Chinese text differs from English for most keys", () => {
    const same = [...english]
      .filter(([key, text]) => chinese.get(key) === text)
      .map(([key]) => key);
    // Names that read the same in both (the product name, the language names, a dash).
    expect(same.sort()).toEqual(["app.name", "common.none", "languages.en", "languages.zh-CN"]);
  });
});

describe("formatters", () => {
  it("formats durations as clock readings", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(62_500)).toBe("1:02");
    expect(clock(3_723_000)).toBe("1:02:03");
  });

  it("formats dates and numbers for each locale without shifting plain dates", () => {
    const english = createFormatters("en");
    const chinese = createFormatters("zh-CN");
    expect(english.date("2025-03-04")).toBe("Mar 4, 2025");
    expect(chinese.date("2025-03-04")).toBe("2025年3月4日");
    expect(english.number(12345)).toBe("12,345");
    expect(english.percent(0.425)).toBe("43%");
    expect(english.duration(null)).toBe("—");
    expect(english.language("zh")).toBe("Chinese");
    expect(chinese.language("en")).toBe("英语");
    expect(english.language("not a language!")).toBe("not a language!");
  });
});
