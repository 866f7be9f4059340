import { describe, expect, it } from "vitest";
import { isValidResidentIdNumber, passesLuhn, redactSegments, redactText } from "./redact.ts";

describe("redactText: personal data is replaced by typed placeholders", () => {
  const positives: Array<[input: string, expected: string]> = [
    // Mainland mobile numbers, with and without country code and separators.
    ["我的手机是13812345678，谢谢", "我的手机是[PHONE]，谢谢"],
    ["手机：138 1234 5678", "手机：[PHONE]"],
    ["call me on +86 138 1234 5678 tomorrow", "call me on [PHONE] tomorrow"],
    ["+86-13912345678", "[PHONE]"],
    ["(+86)15012345678", "[PHONE]"],
    ["0086 18612345678", "[PHONE]"],
    ["my cell is 199-1234-5678.", "my cell is [PHONE]."],
    // Full-width digits, as some IMEs and ASR outputs write them.
    ["电话１３８１２３４５６７８", "电话[PHONE]"],
    ["＋８６ １３８ １２３４ ５６７８", "[PHONE]"],
    // Landlines.
    ["座机010-12345678", "座机[PHONE]"],
    ["电话：(0755) 8888 1234", "电话：[PHONE]"],
    ["打021 6123 4567找我", "打[PHONE]找我"],
    ["（0571）87654321", "[PHONE]"],
    ["+86 10 6512 3456", "[PHONE]"],
    // International.
    ["London office +44 20 7946 0958.", "London office [PHONE]."],
    ["reach me at +1 (415) 555-2671", "reach me at [PHONE]"],
    ["or 0044 20 7946 0958", "or [PHONE]"],
    ["US desk: 415-555-2671 or (212) 555-0199", "US desk: [PHONE] or [PHONE]"],
    // E-mail, written and spoken.
    ["email zhang.san@example.com.", "email [EMAIL]."],
    ["邮箱是zhangsan@163.com谢谢", "邮箱是[EMAIL]谢谢"],
    ["Send it to Li_Wei+sales@mail.example.co.uk today", "Send it to [EMAIL] today"],
    ["邮箱ｌｉｗｅｉ＠ｑｑ．ｃｏｍ", "邮箱[EMAIL]"],
    ["it's john dot smith at gmail dot com", "it's [EMAIL]"],
    ["发到zhangsan艾特163点com", "发到[EMAIL]"],
    // PRC resident ID numbers (valid check character and birth date).
    ["身份证号11010519491231002X", "身份证号[ID_NUMBER]"],
    ["ID 110105 19491231 002x please", "ID [ID_NUMBER] please"],
    ["身份证１１０１０５１９４９１２３１００２Ｘ", "身份证[ID_NUMBER]"],
    // Bank cards (Luhn-valid, with spaces or dashes).
    ["visa 4111 1111 1111 1111 exp 12/26", "visa [BANK_CARD] exp 12/26"],
    ["卡号6222020012345678903", "卡号[BANK_CARD]"],
    ["卡号 6228 4800 1234 5678 903 谢谢", "卡号 [BANK_CARD] 谢谢"],
    ["银联 6200-0000-0000-0005", "银联 [BANK_CARD]"],
    ["amex 3782 822463 10005", "amex [BANK_CARD]"],
    ["工行卡9558801234567890128", "工行卡[BANK_CARD]"],
    ["card 5555555555554444 then 20 units", "card [BANK_CARD] then 20 units"],
    // Several in one sentence, separated the way people write them.
    ["电话13812345678/13912345678", "电话[PHONE]/[PHONE]"],
    ["13812345678、13912345678", "[PHONE]、[PHONE]"],
  ];

  it.each(positives)("%s", (input, expected) => {
    expect(redactText(input).text).toBe(expected);
  });

  it("reports the kind and the spans in both texts", () => {
    const input = "Call 13812345678 or mail a@b.cn, card 4111111111111111.";
    const result = redactText(input);
    expect(result.text).toBe("Call [PHONE] or mail [EMAIL], card [BANK_CARD].");
    expect(result.redactions.map((redaction) => redaction.kind)).toEqual([
      "PHONE",
      "EMAIL",
      "BANK_CARD",
    ]);
    for (const redaction of result.redactions) {
      const original = input.slice(redaction.start, redaction.end);
      const placeholder = result.text.slice(redaction.redactedStart, redaction.redactedEnd);
      expect(placeholder).toBe(`[${redaction.kind}]`);
      expect(original).not.toContain("[");
    }
    expect(input.slice(result.redactions[0].start, result.redactions[0].end)).toBe("13812345678");
    expect(input.slice(result.redactions[1].start, result.redactions[1].end)).toBe("a@b.cn");
    expect(input.slice(result.redactions[2].start, result.redactions[2].end)).toBe(
      "4111111111111111",
    );
  });

  it("an e-mail address made of a phone number is one e-mail, not a phone inside it", () => {
    const result = redactText("QQ邮箱13812345678@qq.com");
    expect(result.text).toBe("QQ邮箱[EMAIL]");
    expect(result.redactions).toHaveLength(1);
  });

  it("keeps offsets right next to characters outside the BMP", () => {
    const input = "😀 13812345678 😀";
    const result = redactText(input);
    expect(result.text).toBe("😀 [PHONE] 😀");
    expect(input.slice(result.redactions[0].start, result.redactions[0].end)).toBe("13812345678");
  });
});

describe("redactText: ordinary numbers are left alone", () => {
  const negatives = [
    "价格¥12,800，优惠后￥11,999",
    "The plan costs $1,299.00 per seat",
    "预算1.5万，最多3万",
    "2024-03-15 10:30 到 2024年3月15日 15:45:00",
    "Deadline 2024/03/15, call at 9:30am",
    "增长13.5%，转化率 8.25%",
    "订单号 2024031512345678", // 16 digits, fails Luhn
    "订单号：20240315000012345", // 17 digits, fails Luhn
    "order 00123456789", // zero-padded, no separators
    "SO-13812345678-A is the SKU", // glued to letters
    "order #13812345678 shipped",
    "13800000000元的大单", // a price with its unit
    "总价 13812345678.50", // a decimal
    "会议号 123 456 789",
    "版本 3.14.159，build 20240315",
    "room 1101, 2 people, 3 days",
    "１２，８００元", // full-width price
    "we shipped 1,000,000 units in 2023",
    "ID 110105194912310021", // wrong check character
    "ID 110105194902300028", // 30 February
    "ID 100105194912310021", // no such region
    "tracking 1Z999AA10123456784",
    "+15% growth year over year",
    "quote #4111-1111", // too short for a card
  ];

  it.each(negatives)("%s", (input) => {
    const result = redactText(input);
    expect(result.text).toBe(input);
    expect(result.redactions).toEqual([]);
  });
});

describe("redactText on hostile input", () => {
  // Not a speed test: with a backtracking-prone pattern these would not finish at all.
  it("finishes on long ambiguous runs", { timeout: 20_000 }, () => {
    for (const input of [
      "adot".repeat(200) + "!",
      "a dot ".repeat(500) + "at",
      "a-".repeat(5_000),
      "1 ".repeat(5_000),
    ]) {
      expect(redactText(input).text).toBe(input);
    }
  });
});

describe("checks", () => {
  it("Luhn on published test card numbers and their one-digit corruptions", () => {
    for (const valid of [
      "4111111111111111",
      "5555555555554444",
      "378282246310005",
      "6011111111111117",
    ]) {
      expect(passesLuhn(valid)).toBe(true);
      const corrupted = valid.slice(0, -1) + String((Number(valid.at(-1)) + 1) % 10);
      expect(passesLuhn(corrupted)).toBe(false);
    }
    expect(passesLuhn("12ab")).toBe(false);
  });

  it("resident ID: check character, real birth date, not in the future", () => {
    expect(isValidResidentIdNumber("11010519491231002X")).toBe(true);
    expect(isValidResidentIdNumber("11010519491231002x")).toBe(true);
    expect(isValidResidentIdNumber("110105194912310021")).toBe(false);
    // Valid check character but born in the future relative to "today".
    expect(isValidResidentIdNumber("11010519491231002X", new Date("1940-01-01"))).toBe(false);
    // 1880: check character fits, but nobody alive was born then.
    expect(isValidResidentIdNumber("440524188001010014")).toBe(false);
  });
});

describe("redactSegments", () => {
  it("keeps the original next to the redacted text and leaves other fields", () => {
    const [segment] = redactSegments([
      { startMs: 5, endMs: 9, speaker: "customer", text: "我的电话13812345678" },
    ]);
    expect(segment).toEqual({
      startMs: 5,
      endMs: 9,
      speaker: "customer",
      text: "我的电话[PHONE]",
      originalText: "我的电话13812345678",
      redactions: [{ kind: "PHONE", start: 4, end: 15, redactedStart: 4, redactedEnd: 11 }],
    });
  });
});
