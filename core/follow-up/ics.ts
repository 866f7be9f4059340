/**
 * Action items as an iCalendar file (RFC 5545): one all-day VEVENT per item with a due date, so a
 * rep's next steps land in any calendar (Outlook, Google, Apple, Feishu, DingTalk import `.ics`).
 * Text is escaped (backslash, semicolon, comma, newline), lines are folded at 75 octets without
 * splitting a UTF-8 character, lines end in CRLF, and every event has a stable UID (the item id, so
 * a re-import updates instead of duplicating) and a DTSTAMP.
 */

export interface CalendarActionItem {
  /** Stable id: becomes the event's UID. */
  id: string;
  title: string;
  /** YYYY-MM-DD; items without a due date are left out. */
  dueDate: string | null;
  /** e.g. "Send quote · 发送报价" */
  typeLabel: string;
  owner: string | null;
  customer: string | null;
  notes: string | null;
}

export interface CalendarOptions {
  /** Shown by calendar apps as the calendar's name. */
  calendarName: string;
  /** A line of context for each event's description, e.g. the call's title and date. */
  context: string;
  /** DTSTAMP: when the file was made. */
  now: Date;
  /** Right-hand side of every UID, e.g. the server's host name. */
  uidDomain: string;
}

/** TEXT value escaping (RFC 5545 §3.3.11). */
export function escapeText(value: string): string {
  return value
    .replaceAll("\\", "\\\\")
    .replaceAll(";", "\\;")
    .replaceAll(",", "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

const encoder = new TextEncoder();

/**
 * Folds a content line into lines of at most 75 octets (RFC 5545 §3.1): continuation lines start
 * with one space, which counts toward their 75. Splits between characters, never inside one.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const character of line) {
    const size = encoder.encode(character).length;
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += character;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function nextDay(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10).replaceAll("-", "");
}

export function formatActionItemsIcs(items: readonly CalendarActionItem[], options: CalendarOptions): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Calibrate//Action items//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeText(options.calendarName)}`,
  ];
  for (const item of items) {
    if (!item.dueDate || !/^\d{4}-\d{2}-\d{2}$/.test(item.dueDate)) continue;
    const description = [
      item.typeLabel,
      item.owner ? `Owner: ${item.owner}` : null,
      item.customer ? `Customer: ${item.customer}` : null,
      item.notes,
      options.context,
    ].filter((line): line is string => Boolean(line));
    lines.push(
      "BEGIN:VEVENT",
      `UID:${item.id}@${options.uidDomain}`,
      `DTSTAMP:${utcStamp(options.now)}`,
      // An all-day event on the due date: DTEND is exclusive.
      `DTSTART;VALUE=DATE:${item.dueDate.replaceAll("-", "")}`,
      `DTEND;VALUE=DATE:${nextDay(item.dueDate)}`,
      `SUMMARY:${escapeText(item.title)}`,
      `DESCRIPTION:${escapeText(description.join("\n"))}`,
      `CATEGORIES:${escapeText(item.typeLabel)}`,
      "TRANSP:TRANSPARENT",
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return lines.map(foldLine).join("\r\n") + "\r\n";
}
