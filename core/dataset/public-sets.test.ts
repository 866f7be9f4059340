import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, UnprocessableError } from "../errors.ts";
import {
  crossWozTurnLabel,
  loadClinc150,
  loadCrossWoz,
  loadPersuasionForGood,
  readZip,
  zipfSubsample,
  type PublicSample,
} from "./public-sets.ts";

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** A zip archive written by hand: the format's local headers, central directory and end record. */
function zipOf(files: Record<string, { content: string; deflate: boolean }>): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, { content, deflate }] of Object.entries(files)) {
    const raw = new TextEncoder().encode(content);
    const data = deflate ? new Uint8Array(deflateRawSync(raw)) : raw;
    const nameBytes = new TextEncoder().encode(name);
    const local = new Uint8Array(30 + nameBytes.length + data.length);
    const localView = new DataView(local.buffer);
    localView.setUint32(0, 0x04034b50, true);
    localView.setUint16(8, deflate ? 8 : 0, true);
    localView.setUint32(14, crc32(raw), true);
    localView.setUint32(18, data.length, true);
    localView.setUint32(22, raw.length, true);
    localView.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    local.set(data, 30 + nameBytes.length);
    const central = new Uint8Array(46 + nameBytes.length);
    const centralView = new DataView(central.buffer);
    centralView.setUint32(0, 0x02014b50, true);
    centralView.setUint16(10, deflate ? 8 : 0, true);
    centralView.setUint32(16, crc32(raw), true);
    centralView.setUint32(20, data.length, true);
    centralView.setUint32(24, raw.length, true);
    centralView.setUint16(28, nameBytes.length, true);
    centralView.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22);
  const endView = new DataView(end.buffer);
  endView.setUint32(0, 0x06054b50, true);
  endView.setUint16(8, centrals.length, true);
  endView.setUint16(10, centrals.length, true);
  endView.setUint32(12, centralSize, true);
  endView.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, end];
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let position = 0;
  for (const part of parts) {
    bytes.set(part, position);
    position += part.length;
  }
  return bytes;
}

describe("loadClinc150", () => {
  it("loads the in-scope published splits: 150 intents, 100/20/30 utterances each", () => {
    const samples = loadClinc150();
    expect(countBy(samples, (sample) => sample.split)).toEqual({
      train: 15_000,
      validation: 3_000,
      test: 4_500,
    });
    const labels = new Set(samples.map((sample) => sample.label));
    expect(labels.size).toBe(150);
    expect(labels.has("oos")).toBe(false);
    expect(
      Object.values(
        countBy(
          samples.filter((sample) => sample.split === "test"),
          (sample) => sample.label,
        ),
      ),
    ).toEqual(Array.from({ length: 150 }, () => 30));
    expect(samples[0].text.length).toBeGreaterThan(0);
  });

  it("adds the out-of-scope queries of each split when asked", () => {
    const samples = loadClinc150(undefined, { outOfScope: true }).filter(
      (sample) => sample.label === "oos",
    );
    expect(countBy(samples, (sample) => sample.split)).toEqual({
      train: 100,
      validation: 100,
      test: 1_000,
    });
  });

  it("builds a reproducible long-tailed train split (zipfSubsample)", () => {
    const train = loadClinc150().filter((sample) => sample.split === "train");
    const tail = zipfSubsample(train);
    expect(zipfSubsample(train)).toEqual(tail);
    const counts = Object.values(countBy(tail, (sample) => sample.label)).sort((a, b) => b - a);
    expect(counts).toHaveLength(150);
    expect(counts[0]).toBe(100);
    expect(counts[1]).toBe(62);
    expect(counts.at(-1)).toBe(3);
    expect(counts.filter((count) => count <= 5).length).toBeGreaterThan(40);
    expect(tail.length).toBe(counts.reduce((sum, count) => sum + count, 0));
    expect(zipfSubsample(train, { seed: 2 })).not.toEqual(tail);
  });

  it("names a missing dataset directory", () => {
    expect(() => loadClinc150("/nonexistent/clinc")).toThrow(NotFoundError);
    expect(() => loadClinc150("/nonexistent/clinc")).toThrow(/data_full\.json/);
  });
});

describe("loadPersuasionForGood", () => {
  it("loads the authors' 5 folds of persuader sentences with 11 labels", () => {
    const samples = loadPersuasionForGood();
    expect(samples).toHaveLength(4_313);
    expect(countBy(samples, (sample) => String(sample.fold))).toEqual({
      0: 863,
      1: 863,
      2: 863,
      3: 862,
      4: 862,
    });
    const labels = countBy(samples, (sample) => sample.label);
    expect(Object.keys(labels)).toHaveLength(11);
    expect(labels["non-strategy"]).toBe(1_737);
    expect(labels["personal-story"]).toBe(91);
    expect(samples.filter((sample) => sample.split === "test")).toHaveLength(863);
    expect(new Set(samples.map((sample) => sample.group)).size).toBe(300);
  });

  it("gives the previous persuadee turn as context, and none at a dialogue's start", () => {
    const samples = loadPersuasionForGood();
    const first = samples.find(
      (sample) => sample.text === "Are you familiar with a charity called Save the Children?",
    );
    expect(first?.previousText).toBe("I think it would in many places");
    expect(first?.label).toBe("have-you-heard-of-the-org");
    const starts = samples.filter((sample) => sample.previousText === undefined);
    expect(starts.length).toBeGreaterThan(300);
    expect(starts.some((sample) => sample.previousText?.toLowerCase() === "<start>")).toBe(false);
  });
});

describe("loadCrossWoz", () => {
  let samples: PublicSample[];
  beforeAll(() => {
    samples = loadCrossWoz();
  });

  it("loads every user turn of val (split by dialogue) and test", () => {
    const splits = countBy(samples, (sample) => sample.split);
    expect(splits.train + splits.validation).toBe(4_229);
    expect(splits.test).toBe(4_238);
    expect(
      new Set(
        samples.filter((sample) => sample.split === "validation").map((sample) => sample.group),
      ).size,
    ).toBe(100);
    const trainDialogues = new Set(
      samples.filter((sample) => sample.split === "train").map((sample) => sample.group),
    );
    expect(trainDialogues.size).toBe(400);
    expect(
      samples.some((sample) => sample.split === "validation" && trainDialogues.has(sample.group)),
    ).toBe(false);
  });

  it("labels a turn with its intent+domain acts and keeps the system turn before it", () => {
    const opening = samples.find(
      (sample) => sample.group === "2303" && sample.previousText === undefined,
    );
    expect(opening?.text).toBe("你好，我想吃美食街，帮我推荐一个人均消费在50-100元的餐馆，谢谢。");
    expect(opening?.label).toBe("General+greet|General+thank|Inform+餐馆|Request+餐馆");
    expect(opening?.acts).toEqual([
      "General+greet+none",
      "General+thank+none",
      "Inform+餐馆+人均消费",
      "Inform+餐馆+推荐菜",
      "Request+餐馆+名称",
    ]);
    const reply = samples.find(
      (sample) => sample.group === "2303" && sample.text === "营业时间是什么时间？",
    );
    expect(reply?.previousText).toBe(
      "为您推荐鲜鱼口老字号美食街，人均消费75元，有您想吃的美食街哦。",
    );
    expect(reply?.label).toBe("Request+餐馆");
    expect(samples.filter((sample) => sample.label === "none").length).toBeGreaterThan(0);
  });

  it("builds turn labels from act tuples", () => {
    expect(
      crossWozTurnLabel([
        ["Request", "酒店", "名称", ""],
        ["Inform", "酒店", "评分", "4"],
        ["Inform", "酒店", "价格", "500"],
      ]),
    ).toBe("Inform+酒店|Request+酒店");
    expect(crossWozTurnLabel([])).toBe("none");
  });
});

describe("readZip", () => {
  const directory = mkdtempSync(join(tmpdir(), "public-sets-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("reads stored and deflated entries", () => {
    const files = readZip(
      zipOf({
        "a.txt": { content: "stored", deflate: false },
        "b.json": { content: '{"意图":1}'.repeat(50), deflate: true },
      }),
    );
    expect([...files.keys()]).toEqual(["a.txt", "b.json"]);
    expect(new TextDecoder().decode(files.get("a.txt"))).toBe("stored");
    expect(new TextDecoder().decode(files.get("b.json"))).toBe('{"意图":1}'.repeat(50));
  });

  it("rejects what is not a zip, and corrupt entries", () => {
    expect(() => readZip(new TextEncoder().encode("plain text, not an archive"))).toThrow(
      UnprocessableError,
    );
    const bytes = zipOf({ "a.txt": { content: "some stored content", deflate: false } });
    bytes[30 + "a.txt".length + 2] ^= 0xff; // flip a content byte: the checksum no longer matches
    expect(() => readZip(bytes)).toThrow(/checksum/);
  });
});
