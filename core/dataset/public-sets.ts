/**
 * Loaders for the public datasets shipped in `datasets/` (see datasets/README.md), so the eval
 * harness, the benchmarks and the tests can use them like any other dataset.
 *
 * - CLINC150: 150 English intents, the published train / val / test splits, in-scope only.
 * - PersuasionForGood: persuader strategy per sentence (10 strategies + non-strategy), with the
 *   authors' 5 cross-validation folds and the previous persuadee turn as context.
 * - CrossWOZ: Chinese user turns with their dialogue acts and the previous system turn. Only the
 *   upstream val and test files are shipped; val is split by dialogue into train and validation.
 *
 * Node built-ins only: the CrossWOZ files stay zipped and are inflated here.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { crc32, inflateRawSync } from "node:zlib";
import { NotFoundError, UnprocessableError } from "../errors.ts";
import { parseCsv } from "./formats.ts";

export type PublicSplit = "train" | "validation" | "test";

export interface PublicSample {
  text: string;
  label: string;
  /** The turn before this one in the dialogue (absent at the start of a dialogue or for CLINC150). */
  previousText?: string;
  split: PublicSplit;
  /** The dialogue the sample comes from (PersuasionForGood, CrossWOZ). */
  group?: string;
  /** PersuasionForGood: the authors' cross-validation fold (0–4). */
  fold?: number;
  /** CrossWOZ: every act of the turn as `intent+domain+slot` (the label keeps `intent+domain`). */
  acts?: string[];
}

const datasetsDirectory = fileURLToPath(new URL("../../datasets/", import.meta.url));

function datasetPath(directory: string, file: string): string {
  const path = `${directory.replace(/\/+$/, "")}/${file}`;
  if (!existsSync(path)) {
    throw new NotFoundError(`Dataset file not found: ${path} (see datasets/README.md).`);
  }
  return path;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UnprocessableError(`${path} is not valid JSON.`, undefined, { cause: error });
  }
}

// ---------------------------------------------------------------- CLINC150

const clincSplits: Record<string, PublicSplit> = {
  train: "train",
  val: "validation",
  test: "test",
};

/** CLINC150's out-of-scope label: queries that fit none of the 150 intents. */
export const clincOutOfScope = "oos";

/**
 * CLINC150 `data_full.json`, in-scope only by default (the `oos_*` splits and `oos` labels are
 * dropped); `{ outOfScope: true }` adds the out-of-scope queries of each split, labelled `oos`.
 */
export function loadClinc150(
  directory = `${datasetsDirectory}clinc150`,
  options: { outOfScope?: boolean } = {},
): PublicSample[] {
  const path = datasetPath(directory, "data_full.json");
  const data = parseJson(readFileSync(path, "utf8"), path) as Record<string, unknown>;
  const samples: PublicSample[] = [];
  const splits = Object.entries(clincSplits);
  if (options.outOfScope) {
    splits.push(...Object.entries(clincSplits).map(([name, split]) => [`oos_${name}`, split] as [string, PublicSplit]));
  }
  for (const [name, split] of splits) {
    const rows = data[name];
    if (!Array.isArray(rows)) throw new UnprocessableError(`${path} has no "${name}" split.`);
    for (const row of rows) {
      if (!Array.isArray(row) || typeof row[0] !== "string" || typeof row[1] !== "string") {
        throw new UnprocessableError(`${path}: "${name}" holds a row that is not [text, intent].`);
      }
      if (row[1] !== clincOutOfScope || options.outOfScope)
        samples.push({ text: row[0], label: row[1], split });
    }
  }
  return samples;
}

/**
 * A long-tailed version of a balanced train split, reproducible from `seed`: labels are put in a
 * seeded order and the label of rank r keeps round(maximum · r^−exponent) of its examples (at
 * least `minimum`), the first ones of a seeded shuffle. With the defaults CLINC150's 100 per
 * intent become 100, 62, 46 … 3: a Zipf-like tail where more than half of the intents have ≤ 5 examples.
 */
export function zipfSubsample<Sample extends { label: string }>(
  samples: readonly Sample[],
  options: { seed?: number; exponent?: number; maximum?: number; minimum?: number } = {},
): Sample[] {
  const { seed = 1, exponent = 0.7, maximum = 100, minimum = 3 } = options;
  const byLabel = new Map<string, Sample[]>();
  for (const sample of samples) {
    const group = byLabel.get(sample.label);
    if (group) group.push(sample);
    else byLabel.set(sample.label, [sample]);
  }
  const random = seededRandom(seed);
  const labels = shuffled([...byLabel.keys()].sort(), random);
  return labels.flatMap((label, rank) => {
    const keep = Math.max(minimum, Math.round(maximum * (rank + 1) ** -exponent));
    return shuffled(byLabel.get(label) as Sample[], random).slice(0, keep);
  });
}

/** mulberry32, as core/dataset/snapshot.ts (kept local: this file uses Node built-ins only). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<Item>(items: readonly Item[], random: () => number): Item[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}

// ------------------------------------------------------- PersuasionForGood

export const persuasionFoldCount = 5;

/**
 * The persuader sentences of the 300 annotated PersuasionForGood dialogues, labelled with the
 * classifier label set of the authors' code (`label_inter`: 10 strategies + non-strategy), from
 * their 5-fold split. `fold` says which fold a sentence is in; `split` is "test" for fold 0 and
 * "train" otherwise (the authors' first fold), for callers that want one fixed split.
 * `previousText` is the previous persuadee utterance, as the authors used for context.
 */
export function loadPersuasionForGood(
  directory = `${datasetsDirectory}persuasion_for_good`,
): PublicSample[] {
  const samples: PublicSample[] = [];
  for (let fold = 0; fold < persuasionFoldCount; fold++) {
    const path = datasetPath(directory, `strategy_folds/fold${fold}_test.csv`);
    const [header, ...rows] = parseCsv(readFileSync(path, "utf8")).map((row) => row.fields).filter((row) =>
      row.some((cell) => cell !== ""),
    );
    const column = (name: string) => {
      const index = header?.indexOf(name) ?? -1;
      if (index < 0) throw new UnprocessableError(`${path} has no "${name}" column.`);
      return index;
    };
    const [text, label, history, dialogue] = ["Unit", "label_inter", "history", "B2"].map(column);
    for (const row of rows) {
      if (row.length !== header.length)
        throw new UnprocessableError(
          `${path} has a row with ${row.length} cells, expected ${header.length}.`,
        );
      const previous = row[history].trim();
      samples.push({
        text: row[text],
        label: row[label],
        // The authors mark a dialogue's first turn with "<Start>".
        ...(previous !== "" && previous.toLowerCase() !== "<start>"
          ? { previousText: row[history] }
          : {}),
        split: fold === 0 ? "test" : "train",
        group: row[dialogue],
        fold,
      });
    }
  }
  return samples;
}

// ---------------------------------------------------------------- CrossWOZ

/**
 * The files of a zip archive (stored or deflated entries), read through its central directory.
 * Enough for the dataset archives; no ZIP64, no encryption.
 */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22 bytes plus an optional comment.
  let end = -1;
  for (
    let offset = bytes.length - 22;
    offset >= Math.max(0, bytes.length - 22 - 0xffff);
    offset--
  ) {
    if (view.getUint32(offset, true) === 0x06054b50) {
      end = offset;
      break;
    }
  }
  if (end < 0)
    throw new UnprocessableError("Not a zip archive (no end-of-central-directory record).");
  const entries = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  const files = new Map<string, Uint8Array>();
  for (let entry = 0; entry < entries; entry++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) {
      throw new UnprocessableError("Corrupt zip central directory.");
    }
    const method = view.getUint16(offset + 10, true);
    const checksum = view.getUint32(offset + 16, true);
    const compressedSize = view.getUint32(offset + 20, true);
    const size = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const localOffset = view.getUint32(offset + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
    if (compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      throw new UnprocessableError(`Zip entry ${name} needs ZIP64, which is not supported.`);
    }
    if (view.getUint32(localOffset, true) !== 0x04034b50) {
      throw new UnprocessableError(`Corrupt zip entry ${name}.`);
    }
    const dataStart =
      localOffset +
      30 +
      view.getUint16(localOffset + 26, true) +
      view.getUint16(localOffset + 28, true);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    let content: Uint8Array;
    if (method === 0) content = data;
    else if (method === 8) {
      try {
        content = inflateRawSync(data);
      } catch (error) {
        throw new UnprocessableError(`Zip entry ${name} does not inflate.`, undefined, {
          cause: error,
        });
      }
    } else
      throw new UnprocessableError(
        `Zip entry ${name} uses compression method ${method}; only stored and deflate are supported.`,
      );
    if (content.length !== size || crc32(content) !== checksum) {
      throw new UnprocessableError(`Zip entry ${name} is corrupt (size or checksum mismatch).`);
    }
    files.set(name, content);
  }
  return files;
}

interface CrossWozMessage {
  content: string;
  role: "usr" | "sys";
  /** [intent, domain, slot, value] — intent first, whatever the upstream README says. */
  dialog_act: [string, string, string, string][];
}

/** One act label per turn: its distinct `intent+domain` pairs, sorted, joined by "|" ("none" if no act). */
export function crossWozTurnLabel(acts: readonly (readonly string[])[]): string {
  const pairs = [...new Set(acts.map(([intent, domain]) => `${intent}+${domain}`))].sort();
  return pairs.length > 0 ? pairs.join("|") : "none";
}

function crossWozSplit(path: string, split: "validation" | "test"): PublicSample[] {
  const files = readZip(readFileSync(path));
  const [json] = files.values();
  if (!json) throw new UnprocessableError(`${path} is an empty zip archive.`);
  const dialogues = parseJson(new TextDecoder().decode(json), path) as Record<
    string,
    { messages: CrossWozMessage[] }
  >;
  // Upstream train is not shipped: val is split by dialogue, every fifth (by id) for validation.
  const ids = Object.keys(dialogues).sort((left, right) =>
    left.localeCompare(right, "en", { numeric: true }),
  );
  const samples: PublicSample[] = [];
  ids.forEach((id, index) => {
    const messages = dialogues[id]?.messages;
    if (!Array.isArray(messages))
      throw new UnprocessableError(`${path}: dialogue ${id} has no messages.`);
    const sampleSplit: PublicSplit =
      split === "test" ? "test" : index % 5 === 4 ? "validation" : "train";
    messages.forEach((message, turn) => {
      if (message.role !== "usr") return;
      const acts = message.dialog_act ?? [];
      const previous = turn > 0 ? messages[turn - 1].content : undefined;
      samples.push({
        text: message.content,
        label: crossWozTurnLabel(acts),
        ...(previous !== undefined ? { previousText: previous } : {}),
        split: sampleSplit,
        group: id,
        acts: [
          ...new Set(acts.map(([intent, domain, slot]) => `${intent}+${domain}+${slot}`)),
        ].sort(),
      });
    });
  });
  return samples;
}

/**
 * The user turns of CrossWOZ (zh). Label: the turn's distinct `intent+domain` acts joined by "|"
 * (e.g. "Inform+景点|Request+景点"), one label per turn so the single-label classifier and the eval
 * harness apply unchanged; `acts` keeps the finer `intent+domain+slot` set. Upstream val → train
 * (400 dialogues) and validation (100); upstream test → test (500). Each upstream file inflates
 * to 39 MB of JSON: `upstream` can limit loading to one of them.
 */
export function loadCrossWoz(
  directory = `${datasetsDirectory}crosswoz`,
  { upstream = ["val", "test"] }: { upstream?: readonly ("val" | "test")[] } = {},
): PublicSample[] {
  return [
    ...(upstream.includes("val")
      ? crossWozSplit(datasetPath(directory, "val.json.zip"), "validation")
      : []),
    ...(upstream.includes("test")
      ? crossWozSplit(datasetPath(directory, "test.json.zip"), "test")
      : []),
  ];
}
