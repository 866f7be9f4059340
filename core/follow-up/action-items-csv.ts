/**
 * A call's action items as CSV, for a CRM import or a spreadsheet: the same conventions as the
 * capability map's CSV (UTF-8 with a byte-order mark for Excel, CRLF, formula-looking text defused).
 */
import { formatField } from "../capability-map/csv.ts";
import type { FollowUpActionItem } from "./follow-up-item.ts";

const header = ["type", "type_en", "type_zh", "title", "owner", "due_date", "customer", "notes", "status", "origin", "utterances"];

export function formatActionItemsCsv(items: readonly FollowUpActionItem[]): string {
  const rows = items.map((item) => [
    item.type,
    item.typeName?.en ?? null,
    item.typeName?.zh ?? null,
    item.title,
    item.owner,
    item.dueDate,
    item.customer,
    item.notes,
    item.status,
    item.origin,
    // 1-based, as the UI numbers utterances.
    item.evidence.map((ordinal) => ordinal + 1).join(" "),
  ]);
  return "\ufeff" + [header, ...rows].map((row) => row.map(formatField).join(",") + "\r\n").join("");
}
