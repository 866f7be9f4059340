import type { Response } from "express";

/** Marks the response as a download named `fileName` (ASCII fallback plus the UTF-8 name, RFC 6266). */
export function attachment(response: Response, fileName: string): Response {
  return response.set(
    "content-disposition",
    `attachment; filename="${fileName.replace(/[^\w.-]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
  );
}
