/**
 * Dataset samples in and out of files: JSONL (our export format, one sample per line) and CSV
 * (what trainers edit in a spreadsheet). Imports are all-or-nothing: a file with a bad row is
 * rejected with every problem named by line, rather than half-imported, so nothing is lost
 * silently. Columns or keys we do not know are kept under `metadata` instead of being dropped.
 */
import { ValidationError } from "../errors.ts";

export interface DatasetSample {
  text: string;
  label: string;
  /** What the other side said just before, for intents that depend on context. */
  previousText?: string;
  speaker?: string;
  customerStage?: string;
  metadata?: Record<string, unknown>;
}

export interface FormatIssue {
  /** 1-based physical line where the record starts. */
  line: number;
  /** Column name (CSV) or key (JSONL), when the problem is in one field. */
  column?: string;
  message: string;
}

/** At most this many issues are listed; `issueCount` still says how many there were. */
const maxListedIssues = 100;

/** Canonical field names, and the spellings accepted for them on import. */
const fieldAliases: Record<string, keyof DatasetSample> = {
  text: "text",
  label: "label",
  previoustext: "previousText",
  speaker: "speaker",
  customerstage: "customerStage",
  metadata: "metadata",
};

/** "previous_text", "Previous Text", "previousText" and "previous-text" all name one field. */
function fieldFor(name: string): keyof DatasetSample | undefined {
  const squashed = name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "");
  return Object.hasOwn(fieldAliases, squashed) ? fieldAliases[squashed] : undefined;
}

class IssueList {
  readonly issues: FormatIssue[] = [];
  count = 0;

  add(issue: FormatIssue): void {
    this.count++;
    if (this.issues.length < maxListedIssues) this.issues.push(issue);
  }

  throwIfAny(what: string): void {
    if (this.count === 0) return;
    const first = this.issues[0];
    const where = first.column
      ? `line ${first.line}, column "${first.column}"`
      : `line ${first.line}`;
    const more = this.count > 1 ? ` (and ${this.count - 1} more)` : "";
    throw new ValidationError(`Invalid ${what}: ${where}: ${first.message}${more}`, {
      issues: this.issues,
      issueCount: this.count,
    });
  }
}

function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Builds a sample from named values, collecting problems instead of throwing so that one pass
 * reports every bad row. Returns null when the record has problems.
 */
function buildSample(
  entries: Array<[name: string, value: unknown]>,
  line: number,
  issues: IssueList,
  source: "csv" | "jsonl",
): DatasetSample | null {
  const sample: Partial<DatasetSample> = {};
  // Entries, turned into an object at the end with Object.fromEntries: a key such as
  // "__proto__" from a user's file then stays a plain key instead of replacing the prototype.
  const extra: Array<[string, unknown]> = [];
  const seen = new Set<keyof DatasetSample>();
  let valid = true;
  const fail = (column: string, message: string) => {
    issues.add({ line, column, message });
    valid = false;
  };
  /** Fields already reported as malformed, so "is required" does not repeat the complaint. */
  const malformed = new Set<keyof DatasetSample>();

  for (const [name, value] of entries) {
    const field = fieldFor(name);
    if (!field) {
      // Unknown column or key: keep it, so a richer export round-trips through our format.
      const blank =
        value === undefined || value === null || (typeof value === "string" && value.trim() === "");
      if (!blank) extra.push([name, value]);
      continue;
    }
    if (seen.has(field)) {
      fail(name, `"${name}" repeats the field ${field}`);
      continue;
    }
    seen.add(field);

    if (field === "metadata") {
      let metadata = value;
      if (source === "csv" && typeof value === "string") {
        if (value.trim() === "") continue;
        try {
          metadata = JSON.parse(value);
        } catch {
          fail(name, "metadata must be a JSON object");
          continue;
        }
      }
      if (metadata === null || metadata === undefined) continue;
      if (typeof metadata !== "object" || Array.isArray(metadata)) {
        fail(name, "metadata must be a JSON object");
        continue;
      }
      extra.push(...Object.entries(metadata));
      continue;
    }

    if (value === null || value === undefined) continue;
    if (typeof value !== "string") {
      malformed.add(field);
      fail(name, `${field} must be a string, got ${Array.isArray(value) ? "array" : typeof value}`);
      continue;
    }
    // Text is kept exactly as written; whitespace around a label is never meaningful.
    const cleaned = field === "label" ? value.trim() : value;
    if (cleaned.trim() === "") continue;
    sample[field] = cleaned;
  }

  for (const required of ["text", "label"] as const) {
    if (sample[required] === undefined && !malformed.has(required)) {
      fail(required, `${required} is required`);
    }
  }
  if (!valid) return null;

  const result: DatasetSample = { text: sample.text!, label: sample.label! };
  if (sample.previousText !== undefined) result.previousText = sample.previousText;
  if (sample.speaker !== undefined) result.speaker = sample.speaker;
  if (sample.customerStage !== undefined) result.customerStage = sample.customerStage;
  if (extra.length > 0) result.metadata = Object.fromEntries(extra);
  return result;
}

/** One sample per line, keys in a fixed order, Chinese written as itself (not \u escapes). */
export function formatSamplesJsonl(samples: readonly DatasetSample[]): string {
  return samples.map((sample) => JSON.stringify(canonicalSample(sample)) + "\n").join("");
}

function canonicalSample(sample: DatasetSample): DatasetSample {
  const ordered: DatasetSample = { text: sample.text, label: sample.label };
  if (sample.previousText !== undefined) ordered.previousText = sample.previousText;
  if (sample.speaker !== undefined) ordered.speaker = sample.speaker;
  if (sample.customerStage !== undefined) ordered.customerStage = sample.customerStage;
  if (sample.metadata !== undefined && Object.keys(sample.metadata).length > 0) {
    ordered.metadata = sample.metadata;
  }
  return ordered;
}

/**
 * Parses JSONL: one JSON object per line; blank lines are skipped; LF or CRLF; a leading BOM is
 * ignored. Keys may be camelCase or snake_case (`previous_text`); unknown keys go to `metadata`.
 * Throws ValidationError naming every bad line (details: { issues, issueCount }).
 */
export function parseSamplesJsonl(content: string): DatasetSample[] {
  const lines = stripByteOrderMark(content).split("\n");
  const issues = new IssueList();
  const samples: DatasetSample[] = [];
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const text = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (text.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      issues.add({
        line,
        message: `not valid JSON (${(error as Error).message})`,
      });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      issues.add({ line, message: "expected a JSON object" });
      return;
    }
    const sample = buildSample(Object.entries(value), line, issues, "jsonl");
    if (sample) samples.push(sample);
  });
  issues.throwIfAny("JSONL");
  return samples;
}

export interface CsvRow {
  /** 1-based physical line where the row starts (a quoted field may span several lines). */
  line: number;
  fields: string[];
}

function csvError(message: string, line: number, column: number): ValidationError {
  return new ValidationError(`Invalid CSV: line ${line}, column ${column}: ${message}`, {
    issues: [{ line, column: String(column), message }],
    issueCount: 1,
  });
}

/**
 * An RFC 4180 parser: fields separated by commas, records by CRLF (LF and lone CR accepted too);
 * a field in double quotes may hold commas, line breaks and doubled quotes (""). A leading BOM is
 * ignored; a final line break does not add an empty record. Lenient where the meaning is plain:
 * a quote inside an unquoted field (5" screen) is kept as a character. Strict where it is not:
 * text after a closing quote, or a quote never closed, throws a ValidationError naming the line
 * and the column (1-based, counted in characters on that line).
 */
export function parseCsv(content: string): CsvRow[] {
  const text = content;
  const length = text.length;
  const rows: CsvRow[] = [];
  // Skip a BOM by index rather than slicing: no copy of a file that may be megabytes long.
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (position >= length) return rows;

  let line = 1;
  let lineStart = position;
  let rowLine = 1;
  let fields: string[] = [];

  /** Moves line counting across text consumed inside a quoted field. */
  const countLineBreaks = (from: number, to: number) => {
    for (let index = from; index < to; index++) {
      const code = text.charCodeAt(index);
      if (code === 10 || (code === 13 && text.charCodeAt(index + 1) !== 10)) {
        line++;
        lineStart = index + 1;
      }
    }
  };

  for (;;) {
    if (text.charCodeAt(position) === 34 /* " */) {
      const openLine = line;
      const openColumn = position - lineStart + 1;
      let value = "";
      let segmentStart = position + 1;
      for (;;) {
        const quote = text.indexOf('"', segmentStart);
        if (quote === -1) {
          throw csvError("quoted field is never closed", openLine, openColumn);
        }
        countLineBreaks(segmentStart, quote);
        if (text.charCodeAt(quote + 1) === 34) {
          value += text.slice(segmentStart, quote + 1);
          segmentStart = quote + 2;
          continue;
        }
        value += text.slice(segmentStart, quote);
        position = quote + 1;
        break;
      }
      const next = text.charCodeAt(position);
      if (position < length && next !== 44 && next !== 10 && next !== 13) {
        throw csvError(
          `unexpected "${text[position]}" after a closing quote (double a quote inside a quoted field: "")`,
          line,
          position - lineStart + 1,
        );
      }
      fields.push(value);
    } else {
      let end = position;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === 44 || code === 10 || code === 13) break;
        end++;
      }
      fields.push(text.slice(position, end));
      position = end;
    }

    if (position >= length) {
      rows.push({ line: rowLine, fields });
      return rows;
    }
    if (text.charCodeAt(position) === 44) {
      position++;
      continue;
    }
    // A line break ends the record.
    position += text.charCodeAt(position) === 13 && text.charCodeAt(position + 1) === 10 ? 2 : 1;
    line++;
    lineStart = position;
    rows.push({ line: rowLine, fields });
    if (position >= length) return rows;
    fields = [];
    rowLine = line;
  }
}

/**
 * Parses a CSV of samples. The first row names the columns: `text` and `label` are required;
 * `previous_text`, `speaker`, `customer_stage` (any case, snake_case or camelCase) and
 * `metadata` (a JSON object) are optional; any other column is kept in `metadata` under its
 * header. Empty optional cells are omitted; blank lines are skipped. Throws ValidationError
 * naming the line and column of every problem.
 */
export function parseSamplesCsv(content: string): DatasetSample[] {
  const rows = parseCsv(content);
  const headerRow = rows.find((row) => !isBlankRow(row));
  if (!headerRow)
    throw new ValidationError("Invalid CSV: the file is empty (expected a header row)");

  const header = headerRow.fields.map((name) => name.trim());
  const headerIssues = new IssueList();
  const fieldsSeen = new Map<keyof DatasetSample, string>();
  header.forEach((name, index) => {
    if (name === "") {
      headerIssues.add({
        line: headerRow.line,
        column: String(index + 1),
        message: "empty column name",
      });
      return;
    }
    const field = fieldFor(name);
    const key = field ?? (name as keyof DatasetSample);
    const earlier = fieldsSeen.get(key);
    if (earlier !== undefined) {
      headerIssues.add({
        line: headerRow.line,
        column: name,
        message: `column "${name}" repeats "${earlier}"`,
      });
    }
    fieldsSeen.set(key, name);
  });
  for (const required of ["text", "label"] as const) {
    if (!fieldsSeen.has(required)) {
      headerIssues.add({
        line: headerRow.line,
        column: required,
        message: `the header has no "${required}" column (found: ${header.join(", ")})`,
      });
    }
  }
  headerIssues.throwIfAny("CSV header");

  const issues = new IssueList();
  const samples: DatasetSample[] = [];
  for (const row of rows) {
    if (row === headerRow || row.line < headerRow.line || isBlankRow(row)) continue;
    if (row.fields.length !== header.length) {
      issues.add({
        line: row.line,
        message: `expected ${header.length} fields (${header.join(", ")}), found ${row.fields.length}`,
      });
      continue;
    }
    const entries = header.map((name, index): [string, unknown] => [name, row.fields[index]]);
    const sample = buildSample(entries, row.line, issues, "csv");
    if (sample) samples.push(sample);
  }
  issues.throwIfAny("CSV");
  return samples;
}

/** A blank line, or a row of empty cells as spreadsheets write below the data (",,,"). */
function isBlankRow(row: CsvRow): boolean {
  return row.fields.every((field) => field.trim() === "");
}

const csvColumns = ["text", "label", "previous_text", "speaker", "customer_stage", "metadata"];

/**
 * Writes samples as CSV with the columns `parseSamplesCsv` reads, CRLF line ends as RFC 4180
 * asks, and (by default) a BOM, without which Excel opens UTF-8 Chinese as mojibake.
 */
export function formatSamplesCsv(
  samples: readonly DatasetSample[],
  options: { byteOrderMark?: boolean } = {},
): string {
  const records = samples.map((sample) => [
    sample.text,
    sample.label,
    sample.previousText ?? "",
    sample.speaker ?? "",
    sample.customerStage ?? "",
    sample.metadata && Object.keys(sample.metadata).length > 0
      ? JSON.stringify(sample.metadata)
      : "",
  ]);
  const body = [csvColumns, ...records]
    .map((record) => record.map(quoteCsvField).join(",") + "\r\n")
    .join("");
  return ((options.byteOrderMark ?? true) ? "\ufeff" : "") + body;
}

function quoteCsvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim()
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}
