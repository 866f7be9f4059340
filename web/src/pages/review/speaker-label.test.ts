import i18next from "i18next";
import { beforeAll, describe, expect, it } from "vitest";
import en from "../../i18n/en.ts";
import zhCN from "../../i18n/zh-CN.ts";
import { speakerLabel } from "./speaker-label.ts";

describe("speaker and owner labels", () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({ lng: "en", resources: { en: { translation: en }, "zh-CN": { translation: zhCN } } });
  });

  it("reads role words in either language, numbered voices, and keeps names", () => {
    const t = i18n.getFixedT("en");
    expect(["agent", "Agent", "rep", "销售", "坐席"].map((speaker) => speakerLabel(t, speaker))).toEqual(["Rep", "Rep", "Rep", "Rep", "Rep"]);
    expect(["customer", "客户", "顾客"].map((speaker) => speakerLabel(t, speaker))).toEqual(["Customer", "Customer", "Customer"]);
    expect(speakerLabel(t, "speaker_1")).toBe("Speaker 1");
    expect(speakerLabel(t, "SPEAKER_01")).toBe("Speaker 01");
    expect(speakerLabel(t, "王经理")).toBe("王经理");
    expect(speakerLabel(t, null)).toBe("Speaker");
    expect(speakerLabel(i18n.getFixedT("zh-CN"), "agent")).toBe(zhCN.recording.speakers.rep);
  });
});
