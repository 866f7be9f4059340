/**
 * Requests Node's HTTP parser refuses (bytes beyond the declared Content-Length, broken headers) never
 * reach Express. Node's default answer is a bare "400 Bad Request" with no body; this one says why,
 * in the same error shape as every other answer. (English only: the headers could not be read.)
 */
import { STATUS_CODES } from "node:http";
import type { Server } from "node:http";

export function answerMalformedRequests(server: Server): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const message =
      status === 431
        ? "The request headers are too large."
        : status === 408
          ? "The request took too long to arrive."
          : "The request is not valid HTTP (for example, more bytes than its Content-Length declared).";
    const body = JSON.stringify({ error: { code: status === 400 ? "bad_request" : status === 431 ? "headers_too_large" : "request_timeout", message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
