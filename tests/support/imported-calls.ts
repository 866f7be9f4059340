/** Importing a transcript as a call and waiting for its drafts, for integration tests. */
import { expect } from "vitest";
import { eventually } from "./eventually.ts";
import type { TestClient } from "./http-client.ts";

export function transcriptForm(content: string, name: string, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries({ customerStage: "demo", consent: "true", language: "en", ...fields })) data.append(key, value);
  data.append("file", new Blob([content], { type: "text/vtt" }), name);
  return data;
}

/** Imports `content` as a call and resolves with its id once it is ready (drafted). */
export async function importAndDraft(client: TestClient, content: string, name: string, fields: Record<string, string> = {}): Promise<string> {
  const imported = await client.request("POST", "/api/recordings/import", transcriptForm(content, name, fields));
  expect(imported.status).toBe(201);
  const id = imported.body.recording.id;
  await eventually(async () => {
    const response = await client.request("GET", `/api/recordings/${id}`);
    if (response.body.recording.status === "failed") throw new Error(response.body.recording.failureReason);
    return response.body.recording.status === "ready";
  });
  return id as string;
}
