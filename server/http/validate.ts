/** Validation at the route edge: parse once with zod, hand typed values to the core. */
import type { Request } from "express";
import { z } from "zod";
import { ValidationError } from "../../core/errors.ts";
import { requestLocale } from "./errors.ts";

const zodChinese = z.locales.zhCN().localeError;

function parse<Schema extends z.ZodType>(request: Request, schema: Schema, value: unknown, where: "body" | "query" | "path"): z.infer<Schema> {
  // zod's own messages in the caller's language; a schema's custom messages go through the catalogue.
  const result = schema.safeParse(value, requestLocale(request) === "zh-CN" ? { error: zodChinese } : undefined);
  if (!result.success) {
    const english = { body: "request body", query: "query string", path: "path" }[where];
    throw new ValidationError(
      `Invalid ${english}`,
      result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
      { key: `request.invalid_${where}` },
    );
  }
  return result.data;
}

export const body = <Schema extends z.ZodType>(request: Request, schema: Schema) => parse(request, schema, request.body ?? {}, "body");
export const query = <Schema extends z.ZodType>(request: Request, schema: Schema) => parse(request, schema, request.query, "query");
export const params = <Schema extends z.ZodType>(request: Request, schema: Schema) => parse(request, schema, request.params, "path");
