/**
 * Outcomes from a CSV file (a CRM export), one event per row. Header (any order, case-insensitive):
 * `customer_reference,type,occurred_at` required; `stage,amount,currency,text,keywords,window_from,
 * window_to,id` optional (`keywords` separated by `;`). Every row is checked first; any bad row
 * refuses the whole file with each row's line and reason, so a file is imported entirely or not at all.
 */
import { parseCsv } from "../dataset/formats.ts";
import { ValidationError } from "../errors.ts";
import type { OutcomeEventInput } from "./outcomes.ts";
import { outcomeEventSchema } from "./outcomes.ts";

export const outcomeCsvColumns = ["customer_reference", "type", "occurred_at", "stage", "amount", "currency", "text", "keywords", "window_from", "window_to", "id"] as const;
const required = ["customer_reference", "type", "occurred_at"];

export function parseOutcomeCsv(content: string): { events: OutcomeEventInput[]; lines: number[] } {
  const rows = parseCsv(content).filter((row) => row.fields.some((field) => field.trim() !== ""));
  if (rows.length === 0) throw new ValidationError("The CSV file is empty.");
  const header = rows[0].fields.map((field) => field.trim().toLowerCase());
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new ValidationError(`The CSV header lacks ${missing.join(", ")}; columns: ${outcomeCsvColumns.join(", ")}.`);
  }
  const events: OutcomeEventInput[] = [];
  const lines: number[] = [];
  const issues: Array<{ line: number; path: string; message: string }> = [];
  for (const row of rows.slice(1)) {
    const value = (column: string) => {
      const index = header.indexOf(column);
      const text = index >= 0 ? (row.fields[index] ?? "").trim() : "";
      return text === "" ? undefined : text;
    };
    const amount = value("amount");
    const windowFrom = value("window_from");
    const windowTo = value("window_to");
    const parsed = outcomeEventSchema.safeParse({
      id: value("id"),
      customerReference: value("customer_reference"),
      type: value("type"),
      occurredAt: value("occurred_at"),
      stage: value("stage"),
      amount: amount === undefined ? undefined : Number(amount.replace(/[,\s]/g, "")),
      currency: value("currency"),
      text: value("text"),
      keywords: value("keywords")?.split(/[;；]/).map((keyword) => keyword.trim()).filter(Boolean),
      window: windowFrom || windowTo ? { from: windowFrom, to: windowTo } : undefined,
    });
    if (parsed.success) {
      events.push(parsed.data);
      lines.push(row.line);
    } else {
      for (const issue of parsed.error.issues) issues.push({ line: row.line, path: issue.path.join("."), message: `line ${row.line}: ${issue.path.join(".") || "row"}: ${issue.message}` });
    }
  }
  if (issues.length > 0) throw new ValidationError(`${issues.length} problem(s) in the CSV file; nothing was imported.`, issues);
  if (events.length === 0) throw new ValidationError("The CSV file has a header but no rows.");
  return { events, lines };
}
