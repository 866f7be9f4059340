/**
 * Keys for caching LLM outputs during evals: re-running an eval over an unchanged dataset with
 * an unchanged prompt-set version, model and parameters must not pay for the same calls twice,
 * and any change to one of them must miss the cache.
 */
import { createHash } from "node:crypto";
import { ValidationError } from "../errors.ts";

/** Bump when the key's layout changes, so old entries can never be mistaken for new ones. */
const cacheKeyVersion = 1;

/**
 * JSON with object keys sorted (by UTF-16 code unit, at every depth), so that two equal values
 * serialise identically whatever order their keys were written in. Arrays keep their order.
 * Like JSON.stringify, properties whose value is undefined are left out and `toJSON` is honoured
 * (a Date becomes its ISO string). Unlike it, values JSON cannot represent faithfully throw:
 * NaN and Infinity (JSON would write null), bigint, functions, symbols and cycles. Strings are
 * not Unicode-normalised: the key must follow the exact text the model is sent.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, "$", new Set());
}

function serialise(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return "null";
  if (typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return serialise((value as { toJSON: () => unknown }).toJSON(), path, ancestors);
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) {
        throw new ValidationError(`${path} is ${value}, which JSON cannot represent`, { path });
      }
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new ValidationError(`${path} is a ${typeof value}, which JSON cannot represent`, {
        path,
      });
  }

  const object = value as object;
  if (ancestors.has(object)) {
    throw new ValidationError(`${path} refers back to itself`, { path });
  }
  ancestors.add(object);
  let text: string;
  if (Array.isArray(object)) {
    // JSON.stringify writes undefined array slots as null; do the same so indices keep meaning.
    text = `[${object
      .map((item, index) =>
        item === undefined ? "null" : serialise(item, `${path}[${index}]`, ancestors),
      )
      .join(",")}]`;
  } else {
    const entries = Object.keys(object)
      .filter((key) => (object as Record<string, unknown>)[key] !== undefined)
      .sort((left, right) => (left < right ? -1 : left > right ? 1 : 0))
      .map(
        (key) =>
          `${JSON.stringify(key)}:${serialise((object as Record<string, unknown>)[key], `${path}.${key}`, ancestors)}`,
      );
    text = `{${entries.join(",")}}`;
  }
  ancestors.delete(object);
  return text;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hash of one case's input (a string, or any JSON value such as segments plus context). */
export function hashInput(input: unknown): string {
  return sha256Hex(canonicalJson(input));
}

export interface LlmCacheKeyInput {
  promptSetVersion: string;
  model: string;
  /** Everything else that changes the output: temperature, max tokens, response format… */
  parameters: Record<string, unknown>;
  /** From `hashInput`, so callers can store it beside the case. */
  inputHash: string;
}

/**
 * sha256 (hex) over the canonical JSON of the four parts plus a layout version. Encoding the
 * tuple as JSON, rather than joining strings with a separator, means no choice of values can
 * make two different tuples collide ("a|b" + "c" versus "a" + "b|c").
 */
export function llmCacheKey({
  promptSetVersion,
  model,
  parameters,
  inputHash,
}: LlmCacheKeyInput): string {
  for (const [name, value] of Object.entries({
    promptSetVersion,
    model,
    inputHash,
  })) {
    if (typeof value !== "string" || value.length === 0) {
      throw new ValidationError(`${name} must be a non-empty string`);
    }
  }
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new ValidationError("parameters must be an object");
  }
  return sha256Hex(
    canonicalJson({
      version: cacheKeyVersion,
      promptSetVersion,
      model,
      parameters,
      inputHash,
    }),
  );
}
