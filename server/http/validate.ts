/** Validation at the route edge: parse once with zod, hand typed values to the core. */
import type { Request } from "express";
import type { z } from "zod";
import { ValidationError } from "../../core/errors.ts";

function parse<Schema extends z.ZodType>(schema: Schema, value: unknown, where: string): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(`Invalid ${where}`, result.error.issues.map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    })));
  }
  return result.data;
}

export const body = <Schema extends z.ZodType>(request: Request, schema: Schema) => parse(schema, request.body ?? {}, "request body");
export const query = <Schema extends z.ZodType>(request: Request, schema: Schema) => parse(schema, request.query, "query string");
export const params = <Schema extends z.ZodType>(request: Request, schema: Schema) => parse(schema, request.params, "path");
