/**
 * One pane of the sandbox: a draft of a recording by one prompt-set version, streamed through the
 * AI SDK's `useCompletion` (text protocol). The server's stream ends with a record separator and
 * the validated result, which `splitSandboxStream` takes apart; nothing is saved.
 */
import { useCompletion } from "@ai-sdk/react";
import { useCallback, useMemo, useState } from "react";
import { fetchWithCsrf } from "../../components/csrf-fetch.ts";
import { splitSandboxStream } from "./sandbox-stream.ts";
import type { SandboxStream } from "./sandbox-stream.ts";

/** The pane value that stands for the local engine (no prompt-set version starts with "@"). */
export const localEngineVersion = "@local";

export type SandboxRunState = "idle" | "waiting" | "streaming" | "done" | "failed";

export interface SandboxRun extends SandboxStream {
  state: SandboxRunState;
  /** Request or transport failure (the model's own failure is `final.error`). */
  error: unknown;
  run(recordingId: string): void;
  stop(): void;
}

export function useSandboxRun(set: string, version: string, pane: string): SandboxRun {
  const [started, setStarted] = useState(false);
  const completion = useCompletion({
    api:
      version === localEngineVersion
        ? "/api/sandbox/local"
        : `/api/prompt-sets/${encodeURIComponent(set)}/versions/${encodeURIComponent(version)}/try`,
    // Each pane keeps its own state even when both try the same version.
    id: `sandbox-${pane}`,
    streamProtocol: "text",
    fetch: fetchWithCsrf,
    // Re-render at most every 50 ms however fast the model streams.
    experimental_throttle: 50,
  });
  const parsed = useMemo(() => splitSandboxStream(completion.completion), [completion.completion]);
  const { complete, stop } = completion;
  const run = useCallback(
    (recordingId: string) => {
      setStarted(true);
      void complete("", { body: { recordingId } });
    },
    [complete],
  );

  let state: SandboxRunState = "idle";
  if (completion.isLoading) state = parsed.streamed === "" ? "waiting" : "streaming";
  else if (completion.error || (parsed.final && "error" in parsed.final)) state = "failed";
  else if (parsed.final) state = "done";
  else if (started && (parsed.malformed || parsed.streamed !== "")) state = "failed";

  return { ...parsed, state, error: completion.error ?? null, run, stop };
}
