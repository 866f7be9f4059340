import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { createRandom } from "./snapshot.ts";
import {
  formatSamplesCsv,
  formatSamplesJsonl,
  parseCsv,
  parseSamplesCsv,
  parseSamplesJsonl,
  type DatasetSample,
} from "./formats.ts";

/** Runs `action`, expecting a ValidationError, and returns it for closer checks. */
function validationErrorOf(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

interface IssueDetails {
  issues: Array<{ line: number; column?: string; message: string }>;
  issueCount: number;
}

const tricky: DatasetSample[] = [
  { text: "我们下周二，再谈价格。", label: "schedule_follow_up" },
  {
    text: '他说"太贵了"，\n还要跟老板商量',
    label: "price_objection",
    previousText: "报价是 12,000 元/年",
    speaker: "客户",
    customerStage: "negotiation",
    metadata: { call: "c-17", segment: 4 },
  },
  { text: "  leading and trailing spaces  ", label: "other", speaker: "rep" },
  { text: "Send the deck by Friday, please", label: "send_material" },
];

describe("parseCsv", () => {
  it("splits fields and records, CRLF or LF, with or without a final line break", () => {
    expect(parseCsv("a,b\r\n1,2\r\n")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
    ]);
    expect(parseCsv("a,b\n1,2")).toEqual(parseCsv("a,b\r\n1,2\r\n"));
    expect(parseCsv("a,b\r1,2\r")).toEqual(parseCsv("a,b\r\n1,2\r\n"));
  });

  it("reads quoted commas, line breaks and doubled quotes, and numbers lines physically", () => {
    const content = 'text,label\n"你好,世界","x"\n"line1\r\nline2","say ""hi"""\nlast,y';
    expect(parseCsv(content)).toEqual([
      { line: 1, fields: ["text", "label"] },
      { line: 2, fields: ["你好,世界", "x"] },
      { line: 3, fields: ["line1\r\nline2", 'say "hi"'] },
      { line: 5, fields: ["last", "y"] },
    ]);
  });

  it("keeps empty fields, including a trailing one and an empty quoted one", () => {
    expect(parseCsv('a,,\n"",b\n,')).toEqual([
      { line: 1, fields: ["a", "", ""] },
      { line: 2, fields: ["", "b"] },
      { line: 3, fields: ["", ""] },
    ]);
  });

  it("ignores a byte-order mark and keeps a bare quote inside an unquoted field", () => {
    expect(parseCsv('\ufefftext\n5" screen')).toEqual([
      { line: 1, fields: ["text"] },
      { line: 2, fields: ['5" screen'] },
    ]);
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv("\ufeff")).toEqual([]);
  });

  it("names the line and column of a quote never closed", () => {
    const error = validationErrorOf(() => parseCsv('text,label\n\nhello,"open\nmore'));
    expect(error.message).toBe("Invalid CSV: line 3, column 7: quoted field is never closed");
  });

  it("names the line and column of text after a closing quote", () => {
    const error = validationErrorOf(() => parseCsv('a,b\n"multi\nline"x,d'));
    expect(error.message).toMatch(
      /^Invalid CSV: line 3, column 6: unexpected "x" after a closing quote/,
    );
  });
});

describe("parseSamplesCsv", () => {
  it("maps known columns in any spelling and keeps unknown ones in metadata", () => {
    const content = [
      "Text,label,previous_text,Speaker,customerStage,notes",
      "太贵了,price_objection,报价 12000,客户,negotiation,follow up",
      "ok,agree,,,, ",
    ].join("\r\n");
    expect(parseSamplesCsv(content)).toEqual([
      {
        text: "太贵了",
        label: "price_objection",
        previousText: "报价 12000",
        speaker: "客户",
        customerStage: "negotiation",
        metadata: { notes: "follow up" },
      },
      { text: "ok", label: "agree" },
    ]);
  });

  it("merges a JSON metadata column with unknown columns and trims labels", () => {
    const content =
      'text,label,metadata,source\nhi, greet ,"{""call"":""c1"",""segment"":3}",import\n';
    expect(parseSamplesCsv(content)).toEqual([
      {
        text: "hi",
        label: "greet",
        metadata: { call: "c1", segment: 3, source: "import" },
      },
    ]);
  });

  it("keeps columns named like Object properties as metadata", () => {
    expect(parseSamplesCsv("text,label,constructor,toString\nhi,greet,x,y\n")).toEqual([
      { text: "hi", label: "greet", metadata: { constructor: "x", toString: "y" } },
    ]);
  });

  it("skips blank lines and rows of empty cells", () => {
    const content = "\n\ntext,label\nhello,greet\n\n,\n , \nbye,farewell\n,\n";
    expect(parseSamplesCsv(content)).toEqual([
      { text: "hello", label: "greet" },
      { text: "bye", label: "farewell" },
    ]);
  });

  it("rejects a header without text or label, naming what it found", () => {
    const error = validationErrorOf(() => parseSamplesCsv("utterance,label\nhi,greet\n"));
    expect(error.message).toBe(
      'Invalid CSV header: line 1, column "text": the header has no "text" column (found: utterance, label)',
    );
  });

  it("rejects two columns for one field and an empty column name", () => {
    const error = validationErrorOf(() =>
      parseSamplesCsv("text,label,previous_text,previousText,\na,b,c,d,e\n"),
    );
    const details = error.details as IssueDetails;
    expect(details.issueCount).toBe(2);
    expect(details.issues[0]).toMatchObject({
      line: 1,
      column: "previousText",
    });
    expect(details.issues[1]).toMatchObject({
      line: 1,
      column: "5",
      message: "empty column name",
    });
  });

  it("reports every bad row with its line and column, importing nothing", () => {
    const content = [
      "text,label,metadata",
      "fine,ok,",
      '"spans\ntwo lines",,', // line 3: empty label
      "too,many,fields,here", // line 5
      'bad meta,x,"[1,2]"', // line 6
      " ,x,", // line 7: blank text
    ].join("\n");
    const error = validationErrorOf(() => parseSamplesCsv(content));
    const details = error.details as IssueDetails;
    expect(details.issueCount).toBe(4);
    expect(details.issues).toEqual([
      { line: 3, column: "label", message: "label is required" },
      {
        line: 5,
        message: "expected 3 fields (text, label, metadata), found 4",
      },
      {
        line: 6,
        column: "metadata",
        message: "metadata must be a JSON object",
      },
      { line: 7, column: "text", message: "text is required" },
    ]);
    expect(error.message).toBe(
      'Invalid CSV: line 3, column "label": label is required (and 3 more)',
    );
  });

  it("rejects an empty file", () => {
    expect(() => parseSamplesCsv("\ufeff\r\n")).toThrow(/empty/);
  });

  it("round-trips Chinese, quotes, commas and line breaks through formatSamplesCsv", () => {
    const written = formatSamplesCsv(tricky);
    expect(
      written.startsWith("\ufefftext,label,previous_text,speaker,customer_stage,metadata\r\n"),
    ).toBe(true);
    expect(parseSamplesCsv(written)).toEqual(tricky);
    expect(formatSamplesCsv(tricky, { byteOrderMark: false }).charCodeAt(0)).toBe(
      "t".charCodeAt(0),
    );
  });
});

describe("JSONL", () => {
  it("writes one object per line with Chinese unescaped and reads it back", () => {
    const written = formatSamplesJsonl(tricky);
    expect(written.split("\n")).toHaveLength(tricky.length + 1);
    expect(written).toContain("我们下周二，再谈价格。");
    expect(parseSamplesJsonl(written)).toEqual(tricky);
    expect(formatSamplesJsonl([])).toBe("");
  });

  it("accepts CRLF, blank lines, a BOM, snake_case keys and keeps unknown keys", () => {
    const content =
      '\ufeff{"text":"价格","label":"price","previous_text":null,"customer_stage":"intro","source":"crm"}\r\n' +
      "\r\n" +
      '{"label":"greet","text":"hi","metadata":{"a":1}}\r\n';
    expect(parseSamplesJsonl(content)).toEqual([
      {
        text: "价格",
        label: "price",
        customerStage: "intro",
        metadata: { source: "crm" },
      },
      { text: "hi", label: "greet", metadata: { a: 1 } },
    ]);
  });

  it("names the line of each problem and does not repeat a malformed field as missing", () => {
    const content = [
      '{"text":"ok","label":"a"}',
      "",
      '{"text":"broken",',
      "[1,2]",
      '{"text":"n","label":3}',
      '{"label":"x"}',
      '{"text":"t","label":"a","metadata":"notes"}',
    ].join("\n");
    const error = validationErrorOf(() => parseSamplesJsonl(content));
    const details = error.details as IssueDetails;
    expect(details.issues.map((issue) => [issue.line, issue.column])).toEqual([
      [3, undefined],
      [4, undefined],
      [5, "label"],
      [6, "text"],
      [7, "metadata"],
    ]);
    expect(details.issues[0].message).toMatch(/^not valid JSON/);
    expect(details.issues[2].message).toBe("label must be a string, got number");
    expect(error.message).toMatch(/^Invalid JSONL: line 3: not valid JSON .*\(and 4 more\)$/);
  });

  it("keeps a __proto__ key as data without touching any prototype", () => {
    const [sample] = parseSamplesJsonl('{"text":"t","label":"l","__proto__":{"polluted":1}}');
    expect(Object.hasOwn(sample.metadata!, "__proto__")).toBe(true);
    expect((sample.metadata as { polluted?: number }).polluted).toBeUndefined();
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });

  it("lists at most 100 issues but counts them all", () => {
    const content = Array.from({ length: 150 }, () => "{}").join("\n");
    const details = validationErrorOf(() => parseSamplesJsonl(content)).details as IssueDetails;
    expect(details.issueCount).toBe(300);
    expect(details.issues).toHaveLength(100);
  });
});

describe("round trips of generated samples", () => {
  // Seeded, so a failure reproduces; the alphabet is the characters CSV and JSON must escape.
  const alphabet = [
    "a",
    "Z",
    " ",
    ",",
    '"',
    "\n",
    "\r",
    "\r\n",
    "\t",
    "你",
    "好",
    "，",
    "\\",
    "😀",
    "'",
  ];
  const random = createRandom(2024);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const word = (length: number) => Array.from({ length }, () => pick(alphabet)).join("");
  const samples: DatasetSample[] = Array.from({ length: 300 }, (_, index) => {
    const sample: DatasetSample = {
      text: `t${word(Math.floor(random() * 12))}`,
      label: `l${index % 7}`,
    };
    if (random() < 0.5) sample.previousText = `p${word(5)}`;
    if (random() < 0.3) sample.speaker = word(3) + "s";
    if (random() < 0.3) sample.metadata = { note: word(4), n: index };
    return sample;
  });

  it("CSV gives back exactly what was written", () => {
    expect(parseSamplesCsv(formatSamplesCsv(samples))).toEqual(samples);
  });

  it("JSONL gives back exactly what was written", () => {
    expect(parseSamplesJsonl(formatSamplesJsonl(samples))).toEqual(samples);
  });
});
