import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors.ts";
import { parseDueDate, parseNumber, referenceDayIn } from "./due-dates.ts";

const wednesday = new Date("2025-03-12"); // Wednesday 12 March 2025
const friday = new Date("2025-03-14");
const sunday = new Date("2025-03-16");
const yearEnd = new Date("2024-12-30"); // Monday, two days before the new year

function dateOf(text: string, reference: Date, language?: "zh" | "en" | null) {
  return parseDueDate(text, reference, language)?.date ?? null;
}

describe("parseDueDate — Chinese", () => {
  it.each([
    ["我今天下班前发您", "2025-03-12"],
    ["我明天把对比表发给您", "2025-03-13"],
    ["后天给您回电话", "2025-03-14"],
    ["大后天给您寄样品", "2025-03-15"],
    ["下周三前把合同发您", "2025-03-19"],
    ["本周五给您答复", "2025-03-14"],
    ["这周五之前发过去", "2025-03-14"],
    ["周五前发您", "2025-03-14"],
    ["我们周三再聊", "2025-03-19"], // a bare weekday is the next one, strictly after today
    ["下下周一再约", "2025-03-24"],
    ["周末我带您去试驾", "2025-03-15"],
    ["下个月给您安排", "2025-04-30"],
    ["月底前走完审批", "2025-03-31"],
    ["下个月5号之前签约", "2025-04-05"],
    ["3天内给您出报价", "2025-03-15"],
    ["三天内给您出报价", "2025-03-15"],
    ["两周内完成开通", "2025-03-26"],
    ["一个月内给您回复", "2025-04-12"],
    ["5个工作日内寄到", "2025-03-19"],
    ["这两天给您寄过去", "2025-03-14"],
    ["3月15日前把资料发我", "2025-03-15"],
    ["三月十五号之前", "2025-03-15"],
    ["15号前发您", "2025-03-15"],
    ["二十号之前", "2025-03-20"],
    ["10号给您", "2025-04-10"], // the 10th has passed this month
    ["下周一之前给您答复", "2025-03-17"],
    ["3/15前发您", "2025-03-15"],
    ["2026年1月5日生效", "2026-01-05"],
    ["今年年底之前", "2025-12-31"],
    ["下周初给您回电话", "2025-03-17"], // early next week: its Monday
    ["我下午把报价发您", "2025-03-12"], // a time of day alone: today
    ["晚上整理好发您", "2025-03-12"],
    ["明天下午给您打电话", "2025-03-13"], // the day word wins
    ["周五下午前发您", "2025-03-14"],
  ])("%s → %s", (text, expected) => {
    expect(dateOf(text, wednesday)).toBe(expected);
  });

  it("reports the words that named the date", () => {
    expect(parseDueDate("好的，我下周三前把合同发您", wednesday)).toEqual({
      date: "2025-03-19",
      matchedText: "下周三前",
    });
    expect(parseDueDate("大后天给您", wednesday)?.matchedText).toBe("大后天");
  });

  it("reads 本周/下周 relative to Monday-start weeks when said on a Sunday", () => {
    expect(dateOf("下周三", sunday)).toBe("2025-03-19");
    expect(dateOf("这周五", sunday)).toBe("2025-03-21"); // this week's Friday has passed
    expect(dateOf("周末", sunday)).toBe("2025-03-16");
    expect(dateOf("下周", sunday)).toBe("2025-03-21");
  });

  it("rolls over the year", () => {
    expect(dateOf("明天", yearEnd)).toBe("2024-12-31");
    expect(dateOf("后天", yearEnd)).toBe("2025-01-01");
    expect(dateOf("下周三前", yearEnd)).toBe("2025-01-08");
    expect(dateOf("下个月", yearEnd)).toBe("2025-01-31");
    expect(dateOf("月底", yearEnd)).toBe("2024-12-31");
    expect(dateOf("三天内", yearEnd)).toBe("2025-01-02");
    expect(dateOf("1月5日", yearEnd)).toBe("2025-01-05");
    expect(dateOf("12月1日", yearEnd)).toBe("2025-12-01");
    expect(dateOf("15号", yearEnd)).toBe("2025-01-15");
  });

  it("clamps a month ahead to the end of a shorter month", () => {
    expect(dateOf("一个月内", new Date("2025-01-31"))).toBe("2025-02-28");
    expect(dateOf("一个月内", new Date("2024-01-31"))).toBe("2024-02-29");
  });

  it("skips past dates and finds the due one after them", () => {
    expect(dateOf("上周三我们聊过", wednesday)).toBeNull();
    expect(dateOf("上周三说的那个，下周三前给您", wednesday)).toBe("2025-03-19");
  });

  it.each([
    "保额50万，年缴3000元",
    "这款车落地15万左右",
    "折扣能打9折",
    "我们20个账号",
    "您到15号楼找我",
    "坐地铁3号线过来",
    "下个月初再说", // too vague for a date, and not the end of next month
    "月中左右吧",
    "孩子每天下午都有课",
    "支持7天无理由退货",
    "先给您试用7天",
    "我们一周一次回访",
    "三个月的免费期",
    "2月30日", // impossible
    "好的，没问题",
  ])("finds no date in %s", (text) => {
    expect(parseDueDate(text, wednesday)).toBeNull();
  });
});

describe("parseDueDate — English", () => {
  it.each([
    ["I'll send it today", "2025-03-12"],
    ["by end of day", "2025-03-12"],
    ["I'll call you tomorrow", "2025-03-13"],
    ["the day after tomorrow", "2025-03-14"],
    ["I'll send over the quote by Friday", "2025-03-14"],
    ["let's meet on Monday", "2025-03-17"],
    ["next Wednesday works", "2025-03-19"],
    ["Wednesday next week", "2025-03-19"],
    ["this Friday", "2025-03-14"],
    ["can we keep an hour on Thursday the 20th?", "2025-03-20"],
    ["Monday, the 17th works", "2025-03-17"],
    ["by the end of the week", "2025-03-14"],
    ["by the end of next week", "2025-03-21"],
    ["sometime next week", "2025-03-21"],
    ["over the weekend", "2025-03-15"],
    ["end of the month", "2025-03-31"],
    ["next month", "2025-04-30"],
    ["before the end of the quarter", "2025-03-31"],
    ["in 3 days", "2025-03-15"],
    ["within two weeks", "2025-03-26"],
    ["in a couple of days", "2025-03-14"],
    ["within 5 business days", "2025-03-19"],
    ["March 15", "2025-03-15"],
    ["by Mar. 15th", "2025-03-15"],
    ["15 March", "2025-03-15"],
    ["the 2nd of April", "2025-04-02"],
    ["March 15th, 2026", "2026-03-15"],
    ["by the 20th", "2025-03-20"],
    ["by 3/15", "2025-03-15"],
    ["due 4/1/2025", "2025-04-01"],
    ["I'll call you early next week", "2025-03-17"],
    ["I'll get it to you within the week", "2025-03-14"],
    ["a redline by EOD Tuesday", "2025-03-18"], // the weekday's end of day, not today's
    ["by end of day Friday", "2025-03-14"],
    ["COB on Monday", "2025-03-17"],
  ])("%s → %s", (text, expected) => {
    expect(dateOf(text, wednesday)).toBe(expected);
  });

  it("reads a bare weekday as the next one, strictly after the reference day", () => {
    expect(dateOf("by Friday", friday)).toBe("2025-03-21");
    expect(dateOf("this Friday", friday)).toBe("2025-03-14");
    expect(dateOf("today", friday)).toBe("2025-03-14");
  });

  it("reads next/this weeks relative to Monday-start weeks when said on a Sunday", () => {
    expect(dateOf("next Wednesday", sunday)).toBe("2025-03-19");
    expect(dateOf("by Friday", sunday)).toBe("2025-03-21");
    expect(dateOf("end of the week", sunday)).toBe("2025-03-16");
  });

  it("rolls over the year", () => {
    expect(dateOf("by Friday", yearEnd)).toBe("2025-01-03");
    expect(dateOf("next Wednesday", yearEnd)).toBe("2025-01-08");
    expect(dateOf("March 15", yearEnd)).toBe("2025-03-15");
    expect(dateOf("December 1", yearEnd)).toBe("2025-12-01");
    expect(dateOf("within two weeks", yearEnd)).toBe("2025-01-13");
    expect(dateOf("end of next month", yearEnd)).toBe("2025-01-31");
  });

  it.each([
    "that's $15 a month per seat",
    "about 15% cheaper",
    "a 14-day trial",
    "we have 50 users",
    "half the team, so 1/2 of the seats",
    "24/7 support",
    "March 15,000 units shipped",
    "option 1 may be cheaper",
    "we talked last Tuesday",
    "it costs 200 per week",
    "the 3rd option",
    "we can do 3/4 of the budget",
  ])("finds no date in %s", (text) => {
    expect(parseDueDate(text, wednesday)).toBeNull();
  });
});

describe("parseDueDate — options and helpers", () => {
  it("limits the rules to the language given", () => {
    expect(parseDueDate("明天", wednesday, "en")).toBeNull();
    expect(parseDueDate("tomorrow", wednesday, "zh")).toBeNull();
    expect(dateOf("我 tomorrow 发您", wednesday, null)).toBe("2025-03-13");
  });

  it("takes the leftmost date when a text names several", () => {
    expect(dateOf("我今天先发报价，合同下周三前给您", wednesday)).toBe("2025-03-12");
  });

  it("ignores the time of day of the reference (UTC calendar day)", () => {
    expect(dateOf("明天", new Date("2025-03-12T23:59:00Z"))).toBe("2025-03-13");
  });

  it("rejects an invalid reference", () => {
    expect(() => parseDueDate("明天", new Date("not a date"))).toThrow(ValidationError);
  });

  it("gives the local calendar day of an instant", () => {
    const lateUtc = new Date("2025-03-11T23:30:00Z"); // 07:30 on the 12th in Shanghai
    expect(referenceDayIn(lateUtc, "Asia/Shanghai").toISOString()).toBe("2025-03-12T00:00:00.000Z");
    expect(dateOf("明天", referenceDayIn(lateUtc, "Asia/Shanghai"))).toBe("2025-03-13");
    expect(referenceDayIn(lateUtc, "UTC").toISOString()).toBe("2025-03-11T00:00:00.000Z");
  });

  it("parses Chinese numerals", () => {
    expect([
      parseNumber("十"),
      parseNumber("十五"),
      parseNumber("二十一"),
      parseNumber("两"),
      parseNumber("15"),
      parseNumber("１５"),
    ]).toEqual([10, 15, 21, 2, 15, 15]);
    expect(parseNumber("万")).toBeNaN();
  });
});
