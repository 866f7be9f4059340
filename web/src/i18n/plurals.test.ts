import i18next from "i18next";
import { describe, expect, it } from "vitest";
import en from "./en.ts";
import zhCN from "./zh-CN.ts";

describe("counted messages", () => {
  it("say one file and several files, not 'file(s)'", async () => {
    const i18n = i18next.createInstance();
    await i18n.init({
      lng: "en",
      resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
      interpolation: { escapeValue: false },
    });
    expect(i18n.t("recordings.upload", { count: 1 })).toBe("Upload 1 file");
    expect(i18n.t("recordings.upload", { count: 3 })).toBe("Upload 3 files");
    expect(i18n.t("taxonomy.usage", { count: 1 })).toBe("1 label");
    expect(i18n.t("datasetBuilder.preview", { count: 2, recordings: 1, labels: 2 })).toBe(
      "2 labelled utterances · calls: 1 · intents: 2",
    );
    await i18n.changeLanguage("zh-CN");
    expect(i18n.t("recordings.upload", { count: 3 })).toBe("上传 3 个文件");
  });
});
