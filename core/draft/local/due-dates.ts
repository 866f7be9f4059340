/**
 * Finds the due date a sales utterance names ("我下周三前发您", "I'll send it by Friday") and
 * resolves it against the day of the call. Deterministic rules, no model: a wrong date on an
 * action item costs a trainer more than a missing one, so anything ambiguous is left alone and
 * numbers that are prices or quantities ("15万", "$15", "3000元", "7天无理由", "a 14-day trial")
 * are never read as dates.
 *
 * Semantics (weeks start on Monday, as on Chinese and ISO calendars):
 * - 今天/today/tonight/EOD = the reference day ("EOD Tuesday" is that Tuesday's); 明天/tomorrow = +1; 后天 = +2; 大后天 = +3.
 * - A bare weekday ("周五前", "by Friday", "on Monday") = its next occurrence strictly after the
 *   reference day: said on a Friday, "by Friday" means next Friday (today would be "今天/today").
 * - 本周五/这周五/this Friday = Friday of the current week; if that day has passed, the next one.
 * - 下周三/next Wednesday/Wednesday next week = Wednesday of next week; 下下周三 = the week after.
 * - A period named as a deadline means its end: 下周/next week = Friday of next week; 这周/本周内/
 *   end of the week = Friday of this week (Sunday when said at the weekend); 周末/this weekend =
 *   Saturday of this week; 月底/end of the month = its last day; 下个月/next month = the last day
 *   of next month; 年底/end of the year = 31 December; end of the quarter = its last day.
 * - 下周初/early next week = Monday of next week; within the week = Friday of this week; 下午/晚上/
 *   稍后 said without a day = the reference day; 月初/月中/下个月初 are too vague: no date.
 * - 3天内/三天内/in 3 days/within 3 days/3天后 = reference + 3; 两周内 = +14; 一个月内 = +1 month
 *   (clamped to the month's last day); N个工作日内/in N business days skips Saturdays and Sundays.
 * - 3月15日/March 15/15 March/3/15 (month/day, US order) without a year = the next such day on or
 *   after the reference day (so it rolls into next year); 15号/by the 15th = the next 15th.
 * - Several dates in one text: the leftmost wins (the longest at the same position).
 */
import { ValidationError } from "../../errors.ts";

export type DueDateLanguage = "zh" | "en";

export interface DueDateMatch {
  /** YYYY-MM-DD */
  date: string;
  /** The words that named the date, as they appear in the text. */
  matchedText: string;
}

/**
 * The calendar day (as a UTC-midnight Date) of an instant in a time zone. `parseDueDate` reads
 * its reference's UTC calendar day, so pass it `referenceDayIn(recordedAt, "Asia/Shanghai")`:
 * a call at 07:30 in Shanghai is 23:30 UTC the day before.
 */
export function referenceDayIn(instant: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
  }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value);
  return new Date(Date.UTC(part("year"), part("month") - 1, part("day")));
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on UTC-midnight days.

const dayMilliseconds = 86_400_000;

function dayOf(reference: Date): Date {
  return new Date(
    Date.UTC(reference.getUTCFullYear(), reference.getUTCMonth(), reference.getUTCDate()),
  );
}

function addDays(day: Date, count: number): Date {
  return new Date(day.getTime() + count * dayMilliseconds);
}

function addBusinessDays(day: Date, count: number): Date {
  let result = day;
  let remaining = count;
  while (remaining > 0) {
    result = addDays(result, 1);
    if (weekdayIndex(result) < 5) remaining -= 1;
  }
  return result;
}

function lastDayOfMonth(year: number, monthIndex: number): Date {
  return new Date(Date.UTC(year, monthIndex + 1, 0));
}

function addMonths(day: Date, count: number): Date {
  const target = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + count, 1));
  const last = lastDayOfMonth(target.getUTCFullYear(), target.getUTCMonth()).getUTCDate();
  target.setUTCDate(Math.min(day.getUTCDate(), last));
  return target;
}

/** Monday = 0 … Sunday = 6. */
function weekdayIndex(day: Date): number {
  return (day.getUTCDay() + 6) % 7;
}

function weekdayOfWeek(reference: Date, weekday: number, weeksAhead: number): Date {
  return addDays(reference, weeksAhead * 7 + weekday - weekdayIndex(reference));
}

/** Strictly after the reference day. */
function nextWeekday(reference: Date, weekday: number): Date {
  const difference = (weekday - weekdayIndex(reference) + 7) % 7;
  return addDays(reference, difference === 0 ? 7 : difference);
}

/** This week's day if it has not passed, else the next one. */
function thisOrNextWeekday(reference: Date, weekday: number): Date {
  const candidate = weekdayOfWeek(reference, weekday, 0);
  return candidate.getTime() >= reference.getTime() ? candidate : nextWeekday(reference, weekday);
}

/** End of a working week: Friday, or Sunday when the week's Friday has passed. */
function endOfWeek(reference: Date, weeksAhead: number): Date {
  const friday = weekdayOfWeek(reference, 4, weeksAhead);
  return friday.getTime() >= reference.getTime() ? friday : weekdayOfWeek(reference, 6, weeksAhead);
}

function weekend(reference: Date, weeksAhead: number): Date {
  const saturday = weekdayOfWeek(reference, 5, weeksAhead);
  return saturday.getTime() >= reference.getTime() ? saturday : reference;
}

function endOfMonth(reference: Date, monthsAhead: number): Date {
  return lastDayOfMonth(reference.getUTCFullYear(), reference.getUTCMonth() + monthsAhead);
}

/** A month/day without a year: the next such day on or after the reference (rolls the year). */
function upcomingMonthDay(reference: Date, monthIndex: number, day: number): Date | null {
  for (const year of [reference.getUTCFullYear(), reference.getUTCFullYear() + 1]) {
    const candidate = calendarDate(year, monthIndex, day);
    if (candidate && candidate.getTime() >= reference.getTime()) return candidate;
  }
  return null;
}

/** null for impossible dates (2月30日), instead of letting Date roll them over. */
function calendarDate(year: number, monthIndex: number, day: number): Date | null {
  if (monthIndex < 0 || monthIndex > 11 || day < 1 || day > 31) return null;
  const candidate = new Date(Date.UTC(year, monthIndex, day));
  return candidate.getUTCMonth() === monthIndex ? candidate : null;
}

/** The next day-of-month `day` on or after the reference; months too short are skipped. */
function upcomingDayOfMonth(reference: Date, day: number): Date | null {
  for (let monthsAhead = 0; monthsAhead < 3; monthsAhead += 1) {
    const month = new Date(
      Date.UTC(reference.getUTCFullYear(), reference.getUTCMonth() + monthsAhead, 1),
    );
    const candidate = calendarDate(month.getUTCFullYear(), month.getUTCMonth(), day);
    if (candidate && candidate.getTime() >= reference.getTime()) return candidate;
  }
  return null;
}

function formatDay(day: Date): string {
  return day.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Numbers.

// prettier-ignore
const chineseDigits: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};

/** Ranges people say for "a couple of days" take their upper end: a deadline, not a start. */
// prettier-ignore
const chineseRanges: Record<string, number> = {
  一两: 2, 两三: 3, 二三: 3, 三四: 4, 三五: 5, 四五: 5, 五六: 6, 七八: 8, 几: 3, 半: 0.5,
};

/** Arabic or Chinese numerals below 100 ("15", "十五", "二十一", "两"); NaN otherwise. */
export function parseNumber(text: string): number {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const fullWidth = text.replace(/[０-９]/g, (digit) => String(digit.charCodeAt(0) - 0xff10));
  if (/^[0-9]+$/.test(fullWidth)) return Number(fullWidth);
  if (text in chineseRanges) return chineseRanges[text];
  const match = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!match || text === "") return Number.NaN;
  const [, tensOrUnits, ten, units] = match;
  if (!ten) return units ? Number.NaN : chineseDigits[tensOrUnits];
  return (tensOrUnits ? chineseDigits[tensOrUnits] : 1) * 10 + (units ? chineseDigits[units] : 0);
}

/** A four-digit year in Arabic or Chinese digits ("2025", "二〇二五"). */
function parseYear(text: string): number {
  if (/^[0-9]{4}$/.test(text)) return Number(text);
  const digits = [...text].map((character) => chineseDigits[character]);
  return digits.length === 4 && digits.every((digit) => digit !== undefined)
    ? Number(digits.join(""))
    : Number.NaN;
}

// prettier-ignore
const englishNumbers: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, fourteen: 14, fifteen: 15, thirty: 30, "a couple of": 2,
  "a couple": 2, couple: 2, "a few": 3, few: 3, "a day or two": 2,
};

function parseEnglishNumber(text: string): number {
  const normalised = text.toLowerCase().replace(/\s+/g, " ");
  return /^[0-9]+$/.test(normalised)
    ? Number(normalised)
    : (englishNumbers[normalised] ?? Number.NaN);
}

// prettier-ignore
const englishMonths: Record<string, number> = {
  jan: 0, january: 0, feb: 1, february: 1, mar: 2, march: 2, apr: 3, april: 3, may: 4, jun: 5,
  june: 5, jul: 6, july: 6, aug: 7, august: 7, sep: 8, sept: 8, september: 8, oct: 9, october: 9,
  nov: 10, november: 10, dec: 11, december: 11,
};

// prettier-ignore
const englishWeekdays: Record<string, number> = {
  monday: 0, tuesday: 1, wednesday: 2, thursday: 3, friday: 4, saturday: 5, sunday: 6,
};

// prettier-ignore
const chineseWeekdays: Record<string, number> = {
  一: 0, "1": 0, 二: 1, "2": 1, 三: 2, "3": 2, 四: 3, "4": 3, 五: 4, "5": 4, 六: 5, "6": 5, 日: 6, 天: 6,
  "7": 6,
};

// ---------------------------------------------------------------------------------------------
// Rules. Each pattern is global; `resolve` returns null for a date that is not a due date (a
// past one like 上周三): such a match still blocks shorter matches inside it.

interface Rule {
  language: DueDateLanguage | "any";
  pattern: RegExp;
  resolve(match: RegExpExecArray, reference: Date): Date | null;
}

const chineseNumeral = "[0-9０-９零〇一二两三四五六七八九十]{1,3}";
const chineseBefore = "(?:之前|以前|前|之内|以内|内|为止)?";
/** After a day number: not a building, line, room, seat… ("15号楼", "3号线"). */
const notAPlaceNumber = "(?![楼线房院门桌车位机店窗床馆厅室仓柜号])";

const englishWeekdayNames = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";
const englishMonthNames =
  "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec";
const englishBy = "(?:(?:by|before|until|till|no later than|on or before|on|due)\\s+)?";
const englishNumberWords =
  "[0-9]{1,3}|a couple of|a couple|couple|a few|few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|thirty";

function relativeWeeks(prefix: string | undefined): number | "this" | "bare" | null {
  if (prefix === undefined || prefix === "") return "bare";
  if (/^上/.test(prefix) || prefix === "last") return null;
  if (/^下下/.test(prefix) || prefix === "the week after next") return 2;
  if (/^下/.test(prefix) || prefix === "next") return 1;
  return "this";
}

const rules: Rule[] = [
  // --- Chinese -------------------------------------------------------------------------------
  {
    language: "zh",
    pattern: new RegExp(
      `(?:大后天|后天|明天|明日|明早|明晚|明儿|今天|今日|今晚|今儿|当天|下班前)${chineseBefore}`,
      "g",
    ),
    resolve: (match, reference) => {
      const word = match[0];
      if (word.startsWith("大后天")) return addDays(reference, 3);
      if (word.startsWith("后天")) return addDays(reference, 2);
      if (word.startsWith("明")) return addDays(reference, 1);
      return reference;
    },
  },
  {
    // 周三 / 下周三 / 这个星期五 / 下下礼拜一 / 上周三 (past: blocks, resolves to nothing)
    language: "zh",
    pattern: new RegExp(
      `(上个?|下下个?|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])(?![次回遍])${chineseBefore}`,
      "g",
    ),
    resolve: (match, reference) => {
      const weeks = relativeWeeks(match[1]);
      const weekday = chineseWeekdays[match[2]];
      if (weeks === null) return null;
      if (weeks === "bare") return nextWeekday(reference, weekday);
      if (weeks === "this") return thisOrNextWeekday(reference, weekday);
      return weekdayOfWeek(reference, weekday, weeks);
    },
  },
  {
    language: "zh",
    pattern: new RegExp(`(上个?|下下个?|下个?|这个?|本)?(?:周末|礼拜天之前)${chineseBefore}`, "g"),
    resolve: (match, reference) => {
      const weeks = relativeWeeks(match[1]);
      if (weeks === null) return null;
      return weekend(reference, typeof weeks === "number" ? weeks : 0);
    },
  },
  {
    // 下周初 / 下个星期初: early next week is its Monday (a call "early next week" is booked then).
    language: "zh",
    pattern: new RegExp(`(下下个?|下个?)(?:周|星期|礼拜)初${chineseBefore}`, "g"),
    resolve: (match, reference) => weekdayOfWeek(reference, 0, /^下下/.test(match[1]) ? 2 : 1),
  },
  {
    // 下午 / 晚上 / 稍后 / 一会儿 said alone: later today ("我下午发您"). After a day word the day
    // wins, being further left ("明天下午" is tomorrow); "每天下午" is a habit, not a date.
    language: "zh",
    pattern: /(?<![每天周日一二三四五六])(?:上午|下午|中午|晚上|傍晚|稍后|待会儿?|等会儿?|一会儿)(?:之前|以前|前)?/g,
    resolve: (_match, reference) => reference,
  },
  {
    // 下个月初 / 月中: too vague to be a date — matched only so "下个月" does not claim its end.
    language: "zh",
    pattern: /(?:下下个?|下个?|这个?|本)?月(?:初|中|上旬|中旬)/g,
    resolve: () => null,
  },
  {
    // 下周 / 这周 / 本周内 / 下个星期 — a whole week named as a deadline: its Friday.
    language: "zh",
    pattern: new RegExp(
      `(上个?|下下个?|下个?|这个?|本)(?:周|星期|礼拜)(?![一二三四五六日天1-7末])${chineseBefore}`,
      "g",
    ),
    resolve: (match, reference) => {
      const weeks = relativeWeeks(match[1]);
      if (weeks === null) return null;
      return endOfWeek(reference, typeof weeks === "number" ? weeks : 0);
    },
  },
  {
    // 月底 / 这个月底 / 下个月 / 下月底 / 本月内 / 下个月5号
    language: "zh",
    pattern: new RegExp(
      `(上个?|下下个?|下个?|这个?|本)?月(?:(底|末)|(${chineseNumeral})(?:号|日)${notAPlaceNumber})?${chineseBefore}`,
      "g",
    ),
    resolve: (match, reference) => {
      const [, prefix, end, dayText] = match;
      // A bare "月" without a prefix is part of something else (三个月, 月费, 3月15日).
      if (!prefix)
        return end &&
          !/[0-9０-９零〇一二两三四五六七八九十]$/.test(match.input.slice(0, match.index))
          ? endOfMonth(reference, 0)
          : null;
      const months = relativeWeeks(prefix);
      if (months === null) return null;
      const monthsAhead = typeof months === "number" ? months : 0;
      if (!dayText) return endOfMonth(reference, monthsAhead);
      const month = new Date(
        Date.UTC(reference.getUTCFullYear(), reference.getUTCMonth() + monthsAhead, 1),
      );
      return calendarDate(month.getUTCFullYear(), month.getUTCMonth(), parseNumber(dayText));
    },
  },
  {
    language: "zh",
    pattern: new RegExp(`(今|明)?年{1,2}(底|末)${chineseBefore}`, "g"),
    resolve: (match, reference) =>
      new Date(Date.UTC(reference.getUTCFullYear() + (match[1] === "明" ? 1 : 0), 11, 31)),
  },
  {
    // 3天内 / 三天之内 / 两周内 / 一个月内 / 5个工作日内 / 3天后 / 24小时内 / 半个月内
    language: "zh",
    pattern: new RegExp(
      `(${chineseNumeral}|一两|两三|二三|三四|三五|四五|五六|七八|几|半)(个)?(工作日|天|日|周|星期|礼拜|月|小时)(?:之内|以内|内|之后|以后|后)`,
      "g",
    ),
    resolve: (match, reference) => {
      const [, numberText, measureWord, unit] = match;
      const count = parseNumber(numberText);
      if (!Number.isFinite(count) || count <= 0) return null;
      // "三月内" is ambiguous with the month March; require 个 for months (三个月内).
      if (unit === "月" && !measureWord) return null;
      if (unit === "工作日") return addBusinessDays(reference, Math.ceil(count));
      if (unit === "小时") return addDays(reference, Math.ceil(count / 24));
      if (unit === "月")
        return count === 0.5 ? addDays(reference, 15) : addMonths(reference, count);
      if (unit === "天" || unit === "日") return addDays(reference, Math.ceil(count));
      return addDays(reference, Math.round(count * 7));
    },
  },
  {
    // 这两天 / 过两天 / 过几天 / 这几天
    language: "zh",
    pattern: /(?:这|过|再过)(两|几)天/g,
    resolve: (match, reference) => addDays(reference, match[1] === "两" ? 2 : 3),
  },
  {
    // 3月15日 / 三月十五号前 / 2025年3月15日 / 3月15前 / 3月底
    language: "zh",
    pattern: new RegExp(
      `(?:([0-9]{4}|[零〇一二三四五六七八九]{4})年)?(${chineseNumeral})月(?:(${chineseNumeral})(?:日|号)?(?![0-9０-９万千百元块%个岁])|(底|末))${chineseBefore}`,
      "g",
    ),
    resolve: (match, reference) => {
      const [, yearText, monthText, dayText, end] = match;
      const monthIndex = parseNumber(monthText) - 1;
      if (!(monthIndex >= 0 && monthIndex <= 11)) return null;
      if (yearText) {
        const year = parseYear(yearText);
        if (Number.isNaN(year)) return null;
        return end
          ? lastDayOfMonth(year, monthIndex)
          : calendarDate(year, monthIndex, parseNumber(dayText));
      }
      if (end) {
        const thisYear = lastDayOfMonth(reference.getUTCFullYear(), monthIndex);
        return thisYear.getTime() >= reference.getTime()
          ? thisYear
          : lastDayOfMonth(reference.getUTCFullYear() + 1, monthIndex);
      }
      return upcomingMonthDay(reference, monthIndex, parseNumber(dayText));
    },
  },
  {
    // 15号 / 二十号之前 / 15日前 — not 15号楼, not the 日 in 星期日, not part of 3月15日.
    language: "zh",
    pattern: new RegExp(
      `(?<![0-9０-９零〇一二两三四五六七八九十月周期拜第])(${chineseNumeral})(?:号|日)${notAPlaceNumber}${chineseBefore}`,
      "g",
    ),
    resolve: (match, reference) => {
      const day = parseNumber(match[1]);
      return Number.isInteger(day) && day >= 1 && day <= 31
        ? upcomingDayOfMonth(reference, day)
        : null;
    },
  },
  {
    // 3/15前 — Chinese text writes month/day too; without 前 it could be a ratio or a fraction.
    language: "zh",
    pattern: /(?<![0-9/.$¥￥])([0-9]{1,2})\/([0-9]{1,2})(?=之前|以前|前|号)(?:之前|以前|前|号)/g,
    resolve: (match, reference) =>
      upcomingMonthDay(reference, Number(match[1]) - 1, Number(match[2])),
  },

  // --- English -------------------------------------------------------------------------------
  {
    language: "en",
    pattern: new RegExp(
      `\\b${englishBy}(?:the day after tomorrow|tomorrow|tmrw|today|tonight|this (?:morning|afternoon|evening)|(?:the )?end of (?:the )?day|eod|close of business|cob)\\b`,
      "gi",
    ),
    resolve: (match, reference) => {
      const text = match[0].toLowerCase();
      if (text.includes("day after tomorrow")) return addDays(reference, 2);
      if (/tomorrow|tmrw/.test(text)) return addDays(reference, 1);
      return reference;
    },
  },
  {
    // by EOD Tuesday / end of day Friday / COB on Monday: the weekday's end, not today's.
    language: "en",
    pattern: new RegExp(
      `\\b${englishBy}(?:(?:the )?end of (?:the )?day|eod|close of business|cob),?\\s+(?:on\\s+)?(${englishWeekdayNames})\\b`,
      "gi",
    ),
    resolve: (match, reference) => nextWeekday(reference, englishWeekdays[match[1].toLowerCase()]),
  },
  {
    // Wednesday next week / Friday of next week
    language: "en",
    pattern: new RegExp(
      `\\b${englishBy}(${englishWeekdayNames})(?:,)?\\s+(?:of\\s+)?next\\s+week\\b`,
      "gi",
    ),
    resolve: (match, reference) =>
      weekdayOfWeek(reference, englishWeekdays[match[1].toLowerCase()], 1),
  },
  {
    // by Friday / next Wednesday / this Friday / this coming Monday / last Tuesday (blocks)
    language: "en",
    pattern: new RegExp(
      `\\b${englishBy}(?:(next|this coming|coming|this|last|the week after next)\\s+)?(${englishWeekdayNames})\\b`,
      "gi",
    ),
    resolve: (match, reference) => {
      const prefix = match[1]?.toLowerCase();
      const weekday = englishWeekdays[match[2].toLowerCase()];
      if (prefix === "last") return null;
      if (prefix === "next") return weekdayOfWeek(reference, weekday, 1);
      if (prefix === "the week after next") return weekdayOfWeek(reference, weekday, 2);
      if (prefix) return thisOrNextWeekday(reference, weekday);
      return nextWeekday(reference, weekday);
    },
  },
  {
    // early next week: its Monday; within the week: this week's Friday.
    language: "en",
    pattern: /\b(?:(early|first thing) next week|(?:within|during|in) the (?:week|next few working days of the week))\b/gi,
    resolve: (match, reference) => (match[1] ? weekdayOfWeek(reference, 0, 1) : endOfWeek(reference, 0)),
  },
  {
    // (by) (the) end of (the|this|next) week / this week / next week / weekend
    language: "en",
    pattern: new RegExp(
      `\\b${englishBy}(?:the\\s+)?(?:(end of|over)\\s+)?(?:(the|this|next|last)\\s+)?(week|weekend)\\b`,
      "gi",
    ),
    resolve: (match, reference) => {
      const [, endOf, which, unit] = match.map((part) => part?.toLowerCase());
      if (which === "last") return null;
      // "a week", "per week", "the week" without "end of" are durations or rates.
      if (!which && !endOf && unit === "week") return null;
      const weeksAhead = which === "next" ? 1 : 0;
      return unit === "weekend" ? weekend(reference, weeksAhead) : endOfWeek(reference, weeksAhead);
    },
  },
  {
    // end of (the|this|next) month / this month / next month / month-end / end of the year / quarter
    language: "en",
    pattern: new RegExp(
      `\\b${englishBy}(?:the\\s+)?(?:(end of)\\s+)?(?:(the|this|next|last)\\s+)?(month|year|quarter)(?:[- ]end)?\\b`,
      "gi",
    ),
    resolve: (match, reference) => {
      const [, endOf, which, unit] = match.map((part) => part?.toLowerCase());
      const isEnd = Boolean(endOf) || /[- ]end$/i.test(match[0]);
      if (which === "last") return null;
      if (!which && !isEnd) return null;
      if (which === "the" && !isEnd) return null;
      const ahead = which === "next" ? 1 : 0;
      if (unit === "month") return endOfMonth(reference, ahead);
      if (unit === "year") return new Date(Date.UTC(reference.getUTCFullYear() + ahead, 11, 31));
      const quarterEndMonth = Math.floor(reference.getUTCMonth() / 3) * 3 + 2 + ahead * 3;
      return lastDayOfMonth(reference.getUTCFullYear(), quarterEndMonth);
    },
  },
  {
    // in 3 days / within two weeks / in a couple of days / within 5 business days / in 24 hours
    language: "en",
    pattern: new RegExp(
      `\\b(?:in|within)\\s+(?:the\\s+next\\s+)?(${englishNumberWords})\\s+(business days?|working days?|days?|weeks?|months?|hours?)\\b|\\bin\\s+a\\s+day\\s+or\\s+two\\b`,
      "gi",
    ),
    resolve: (match, reference) => {
      if (!match[1]) return addDays(reference, 2);
      const count = parseEnglishNumber(match[1]);
      const unit = match[2].toLowerCase();
      if (!Number.isFinite(count) || count <= 0) return null;
      if (/business|working/.test(unit)) return addBusinessDays(reference, count);
      if (unit.startsWith("hour")) return addDays(reference, Math.ceil(count / 24));
      if (unit.startsWith("day")) return addDays(reference, count);
      if (unit.startsWith("week")) return addDays(reference, count * 7);
      return addMonths(reference, count);
    },
  },
  {
    // March 15 / Mar. 15th / March 15, 2026 — not "March 15,000"
    language: "en",
    pattern: new RegExp(
      `\\b${englishBy}(${englishMonthNames})\\.?\\s+([0-9]{1,2})(?:st|nd|rd|th)?(?:,?\\s+([0-9]{4}))?(?![0-9%]|,[0-9]{3}|\\.[0-9])\\b`,
      "gi",
    ),
    resolve: (match, reference) => {
      const monthIndex = englishMonths[match[1].toLowerCase()];
      const day = Number(match[2]);
      return match[3]
        ? calendarDate(Number(match[3]), monthIndex, day)
        : upcomingMonthDay(reference, monthIndex, day);
    },
  },
  {
    // 15 March / the 15th of March / 15th March 2026
    language: "en",
    pattern: new RegExp(
      `(?<![$€£¥0-9.,])\\b${englishBy}(?:the\\s+)?([0-9]{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${englishMonthNames})\\b\\.?(?:,?\\s+([0-9]{4}))?`,
      "gi",
    ),
    resolve: (match, reference) => {
      const monthIndex = englishMonths[match[2].toLowerCase()];
      const day = Number(match[1]);
      // "option 1 may be cheaper": the modal verb, not the month.
      const after = match.input.slice(match.index + match[0].length);
      if (match[2] === "may" && /^\s+[a-z]/.test(after)) return null;
      return match[3]
        ? calendarDate(Number(match[3]), monthIndex, day)
        : upcomingMonthDay(reference, monthIndex, day);
    },
  },
  {
    // Tuesday the 10th / Monday, the 9th: the day of the month decides (longer than the bare weekday).
    language: "en",
    pattern: new RegExp(
      `\\b${englishBy}(?:${englishWeekdayNames}),?\\s+the\\s+([0-9]{1,2})(?:st|nd|rd|th)\\b`,
      "gi",
    ),
    resolve: (match, reference) => upcomingDayOfMonth(reference, Number(match[1])),
  },
  {
    // by the 15th / on the 3rd — only after a deadline word: "the 3rd option" is not a date.
    language: "en",
    pattern: /\b(?:by|before|until|till|on|due)\s+the\s+([0-9]{1,2})(?:st|nd|rd|th)\b/gi,
    resolve: (match, reference) => upcomingDayOfMonth(reference, Number(match[1])),
  },
  {
    // 3/15 (US month/day): only after a deadline word, or with a year, since "1/2" is a half.
    language: "en",
    pattern:
      /(?<![0-9/.$€£¥])(?:\b(?:by|before|until|till|on|due|no later than)\s+)?\b([0-9]{1,2})\/([0-9]{1,2})(?:\/([0-9]{4}|[0-9]{2}))?(?![0-9/%])/gi,
    resolve: (match, reference) => {
      const hasDeadlineWord = /^[a-z]/i.test(match[0]);
      const [, monthText, dayText, yearText] = match;
      if (!hasDeadlineWord && !yearText) return null;
      const monthIndex = Number(monthText) - 1;
      const day = Number(dayText);
      if (yearText) {
        const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
        return calendarDate(year, monthIndex, day);
      }
      return upcomingMonthDay(reference, monthIndex, day);
    },
  },
];

interface Candidate {
  index: number;
  text: string;
  date: Date | null;
}

/**
 * The first due date named in `text`, resolved against the calendar day of `reference` (read in
 * UTC: see `referenceDayIn`). `language` limits the rules to one language; null/undefined tries
 * both (mixed zh/en calls are common).
 */
export function parseDueDate(
  text: string,
  reference: Date,
  language?: DueDateLanguage | null,
): DueDateMatch | null {
  if (!(reference instanceof Date) || Number.isNaN(reference.getTime())) {
    throw new ValidationError("parseDueDate: reference must be a valid Date", {
      issues: [{ path: ["reference"], message: "must be a valid Date" }],
    });
  }
  const day = dayOf(reference);
  const candidates: Candidate[] = [];
  for (const rule of rules) {
    if (language && rule.language !== "any" && rule.language !== language) continue;
    rule.pattern.lastIndex = 0;
    for (const match of text.matchAll(rule.pattern)) {
      if (match[0].trim() === "") continue;
      candidates.push({
        index: match.index,
        text: match[0],
        date: rule.resolve(match, day),
      });
    }
  }
  candidates.sort(
    (left, right) => left.index - right.index || right.text.length - left.text.length,
  );
  const blocked = candidates.filter((candidate) => candidate.date === null);
  const overlaps = (left: Candidate, right: Candidate) =>
    left.index < right.index + right.text.length && right.index < left.index + left.text.length;
  for (const candidate of candidates) {
    if (candidate.date === null) continue;
    const blocker = blocked.find(
      (other) => overlaps(candidate, other) && other.text.length > candidate.text.length,
    );
    if (blocker) continue;
    return {
      date: formatDay(candidate.date),
      matchedText: candidate.text.trim(),
    };
  }
  return null;
}
