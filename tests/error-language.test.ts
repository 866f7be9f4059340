/**
 * API errors in the caller's language: `Accept-Language` first, else the signed-in user's locale,
 * else English. The `code` never changes with the language.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../core/auth/sessions.ts";
import { createUser } from "../core/auth/users.ts";
import { wav } from "./fixtures/bad-input/corpus.ts";
import { createTestDatabase } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

describe("error messages in the caller's language", () => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;
  let repToken: string;
  let chineseRepToken: string;

  interface Answer {
    status: number;
    error: { code: string; message: string; detail?: string; issues?: { message: string }[] };
  }

  async function call(method: string, path: string, options: { language?: string; token?: string; json?: string; form?: FormData } = {}): Promise<Answer> {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.language ? { "accept-language": options.language } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.json !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: options.json ?? options.form,
    });
    return { status: response.status, error: ((await response.json()) as { error: Answer["error"] }).error };
  }

  function upload(bytes: Uint8Array, fields: Record<string, string> = { consent: "true", customerStage: "discovery" }) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", new Blob([new Uint8Array(bytes)]), "call.wav");
    return form;
  }

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    organisation = await createOrganisation(database.db);
    const chineseRep = await createUser(database.db, {
      workspaceId: organisation.workspaceId,
      teamId: organisation.north.id,
      email: "rep.zh@example.com",
      role: "rep",
      password: testPassword,
      locale: "zh-CN",
    });
    server = await startTestServer(database.db, { environment: { UPLOAD_MAX_BYTES: "65536" } });
    repToken = (await createApiToken(database.db, organisation.users.northRep.id, { name: "language" })).token;
    chineseRepToken = (await createApiToken(database.db, chineseRep.id, { name: "language" })).token;
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  // One row per common error: how to cause it, its code, and what each language says.
  const cases: { name: string; send: (language: string) => Promise<Answer>; status: number; code: string; en: RegExp; zh: RegExp }[] = [
    { name: "validation", send: (language) => call("POST", "/api/auth/sign-in", { language, json: JSON.stringify({ email: 5 }) }), status: 400, code: "validation_failed", en: /^Invalid request body$/, zh: /^请求正文不正确$/ },
    { name: "invalid JSON", send: (language) => call("POST", "/api/auth/sign-in", { language, json: "{" }), status: 400, code: "invalid_json", en: /not valid JSON/, zh: /不是有效的 JSON/ },
    { name: "wrong password", send: (language) => call("POST", "/api/auth/sign-in", { language, json: JSON.stringify({ email: "rep.north@example.com", password: "wrong" }) }), status: 401, code: "unauthorized", en: /^Wrong e-mail or password\.$/, zh: /^邮箱或密码错误。$/ },
    { name: "signed out", send: (language) => call("GET", "/api/recordings", { language }), status: 401, code: "unauthorized", en: /^Sign in first\.$/, zh: /^请先登录。$/ },
    { name: "forbidden", send: (language) => call("GET", "/api/users", { language, token: repToken }), status: 403, code: "forbidden", en: /needs the role admin; you are signed in as rep/, zh: /需要以下角色之一：管理员；你当前的角色是销售代表/ },
    { name: "no such route", send: (language) => call("GET", "/api/nothing-here", { language, token: repToken }), status: 404, code: "not_found", en: /^No route for GET \/nothing-here$/, zh: /没有 GET \/nothing-here 这个接口/ },
    { name: "not found", send: (language) => call("GET", "/api/recordings/00000000-0000-4000-8000-000000000000", { language, token: repToken }), status: 404, code: "not_found", en: /not found/i, zh: /^未找到。$/ },
    { name: "payload too large", send: (language) => call("POST", "/api/tokens", { language, token: repToken, json: JSON.stringify({ name: "x".repeat(3 * 1024 * 1024) }) }), status: 413, code: "payload_too_large", en: /too large/, zh: /请求内容过大/ },
    { name: "upload over the limit", send: (language) => call("POST", "/api/recordings", { language, token: repToken, form: upload(wav(64_000)) }), status: 413, code: "payload_too_large", en: /larger than the limit of 64/, zh: /文件超过了 64.* 的大小上限/ },
    { name: "not audio", send: (language) => call("POST", "/api/recordings", { language, token: repToken, form: upload(new TextEncoder().encode("not audio at all\n".repeat(20))) }), status: 422, code: "unprocessable", en: /not a recognised audio file/, zh: /无法识别为音频文件/ },
    { name: "no consent", send: (language) => call("POST", "/api/recordings", { language, token: repToken, form: upload(wav(16_000), { customerStage: "discovery" }) }), status: 400, code: "validation_failed", en: /Confirm that the customer agreed/, zh: /请求内容不正确/ },
  ];

  it.each(cases)("says $name in English and in Chinese, with the same code", async ({ send, status, code, en, zh }) => {
    const english = await send("en-GB,en;q=0.9");
    expect(english.status).toBe(status);
    expect(english.error.code).toBe(code);
    expect(english.error.message).toMatch(en);
    const chinese = await send("zh-CN,zh;q=0.9,en;q=0.8");
    expect(chinese.status).toBe(status);
    expect(chinese.error.code).toBe(code);
    expect(chinese.error.message).toMatch(zh);
  });

  it("translates a schema's own message in the issues, and keeps the English specifics as detail", async () => {
    const { error } = await call("POST", "/api/recordings", { language: "zh-CN", token: repToken, form: upload(wav(16_000), { customerStage: "discovery" }) });
    expect(error.issues?.map((issue) => issue.message)).toContain("请确认客户已同意录音；未经同意的上传会被拒绝。");
    expect(error.detail).toMatch(/Confirm that the customer agreed/);
    const zod = await call("POST", "/api/auth/sign-in", { language: "zh-CN", json: JSON.stringify({ email: 5, password: "x" }) });
    expect(zod.error.issues?.[0]?.message).toMatch(/无效输入/);
  });

  it("says rate limiting in the caller's language", async () => {
    const attempt = (language: string) =>
      call("POST", "/api/auth/sign-in", { language, json: JSON.stringify({ email: "nobody@example.com", password: "wrong" }) });
    let answer = await attempt("zh-CN");
    for (let tries = 0; answer.status !== 429 && tries < server.config.LOGIN_RATE_LIMIT_PER_15_MINUTES; tries++) answer = await attempt("zh-CN");
    expect(answer.status).toBe(429);
    expect(answer.error).toEqual({ code: "rate_limited", message: "登录尝试次数过多，请 15 分钟后再试。" });
    expect((await attempt("en")).error.message).toBe("Too many sign-in attempts. Wait 15 minutes and try again.");
  }, 60_000);

  it("falls back to the signed-in user's locale, and to English without either", async () => {
    const chinese = await call("GET", "/api/users", { token: chineseRepToken });
    expect(chinese.error.message).toMatch(/需要以下角色之一/);
    const overridden = await call("GET", "/api/users", { token: chineseRepToken, language: "en" });
    expect(overridden.error.message).toMatch(/needs the role admin/);
    const anonymous = await call("GET", "/api/recordings");
    expect(anonymous.error.message).toBe("Sign in first.");
  });
});
