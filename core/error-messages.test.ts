import { describe, expect, it } from "vitest";
import { catalogueEntry, catalogueKeys, errorLocales, localiseError, pickErrorLocale, translateKnownMessage } from "./error-messages.ts";
import { DatabaseUnavailableError } from "./db/database.ts";
import { ForbiddenError, NotFoundError, RateLimitedError, UnprocessableError, ValidationError } from "./errors.ts";

describe("error message catalogue", () => {
  it("says every entry in every language, with the same placeholders", () => {
    for (const key of [...catalogueKeys.byCode, ...catalogueKeys.byKey]) {
      const entry = catalogueEntry(key)!;
      const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      for (const locale of errorLocales) expect(entry[locale], `${key} in ${locale}`).toMatch(/\S/);
      expect(placeholders(entry["zh-CN"]), key).toEqual(placeholders(entry.en));
    }
  });

  it("has a general sentence for every error code the core throws", () => {
    const errors = [new ValidationError("x"), new ForbiddenError("x"), new NotFoundError("x"), new UnprocessableError("x"), new RateLimitedError("x"), new DatabaseUnavailableError("x")];
    for (const error of errors) {
      expect(catalogueKeys.byCode).toContain(error.code);
    }
  });

  it("picks the language from Accept-Language by quality, then the user's locale, then English", () => {
    expect(pickErrorLocale("zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh-CN");
    expect(pickErrorLocale("zh-TW")).toBe("zh-CN");
    expect(pickErrorLocale("en-GB,zh;q=0.5")).toBe("en");
    expect(pickErrorLocale("fr;q=1, zh;q=0.2, en;q=0.1")).toBe("zh-CN");
    expect(pickErrorLocale("en;q=0, zh-CN;q=0.3")).toBe("zh-CN");
    expect(pickErrorLocale("fr-FR", "zh-CN")).toBe("zh-CN");
    expect(pickErrorLocale("*", "en")).toBe("en");
    expect(pickErrorLocale(undefined, "zh-CN")).toBe("zh-CN");
    expect(pickErrorLocale(undefined)).toBe("en");
  });

  it("says a keyed error exactly, with its params", () => {
    const error = new ForbiddenError("This needs the role admin or trainer; you are signed in as rep.", undefined, {
      key: "auth.role_needed",
      params: { roles: "admin,trainer", role: "rep" },
    });
    // Role names in the caller's language, as the UI says them.
    expect(localiseError(error, "zh-CN")).toEqual({ message: "此操作需要以下角色之一：管理员、培训师；你当前的角色是销售代表。" });
    expect(localiseError(error, "en")).toEqual({ message: "This needs the role admin or trainer; you are signed in as rep." });
  });

  it("keeps an unkeyed error's English as thrown, and gives Chinese callers the code's sentence plus the specifics", () => {
    const error = new NotFoundError("Dataset 42 not found.");
    expect(localiseError(error, "en")).toEqual({ message: "Dataset 42 not found." });
    expect(localiseError(error, "zh-CN")).toEqual({ message: "未找到。", detail: "Dataset 42 not found." });
  });

  it("says the database outage in both languages", () => {
    const error = new DatabaseUnavailableError("The database is unreachable at the moment; try again in a few seconds.");
    expect(localiseError(error, "en").message).toBe("The database is unreachable at the moment; try again in a few seconds.");
    expect(localiseError(error, "zh-CN").message).toBe("数据库暂时无法连接，请几秒后重试。");
  });

  it("translates a schema's own message when the catalogue knows it, and leaves other text alone", () => {
    expect(translateKnownMessage("Choose the customer stage.", "zh-CN")).toBe("请选择客户阶段。");
    expect(translateKnownMessage("Something new.", "zh-CN")).toBe("Something new.");
  });
});
