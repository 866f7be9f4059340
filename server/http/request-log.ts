/**
 * The request log. In production every response is one full JSON record (headers included) for the
 * log pipeline; in development and tests a line a person reads: "GET /api/recordings 200 12 ms",
 * with only the request id beside it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Options } from "pino-http";

type Environment = "development" | "production" | "test";

export function requestLogOptions(environment: Environment): Pick<
  Options,
  "serializers" | "customSuccessMessage" | "customErrorMessage" | "customAttributeKeys" | "wrapSerializers"
> {
  const request = (incoming: IncomingMessage & { id?: unknown }) => ({ id: incoming.id, method: incoming.method, url: incoming.url });
  if (environment === "production") return { serializers: { req: request } };
  const line = (incoming: IncomingMessage, response: ServerResponse, milliseconds: number) =>
    `${incoming.method} ${incoming.url} ${response.statusCode} ${Math.round(milliseconds)} ms`;
  return {
    serializers: {
      req: (incoming: IncomingMessage & { id?: unknown }) => incoming.id,
      res: () => undefined,
    },
    customAttributeKeys: { req: "requestId" },
    customSuccessMessage: line,
    customErrorMessage: (incoming, response, error) => `${line(incoming, response, 0).replace(/ 0 ms$/, "")} — ${error.message}`,
  };
}
