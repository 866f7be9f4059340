/**
 * Runs an external tool (ffprobe, ffmpeg, whisper.cpp) with an argument array — never through a
 * shell, so a file name can never become a command — with an explicit working directory, a
 * timeout and cancellation. Failures keep the tail of stderr, because that is where these tools
 * say what went wrong.
 */
import { execFile } from "node:child_process";

export interface RunProcessOptions {
  /** Explicit, so a tool that writes next to its cwd never writes into the repository. */
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with each stdout chunk as it arrives (ffmpeg `-progress pipe:1`). */
  onStdout?: (chunk: string) => void;
  /** Tools that log per-frame errors can print a lot; past this the process is killed. */
  maxBufferBytes?: number;
}

export interface ProcessResult {
  stdout: string;
  stderr: string;
}

/** The tool could not be started, exited non-zero, was killed or timed out. */
export class ProcessFailedError extends Error {
  constructor(
    message: string,
    readonly details: {
      command: string;
      exitCode: number | null;
      signal: string | null;
      timedOut: boolean;
      /** `ENOENT` when the executable does not exist. */
      spawnErrorCode: string | null;
      stderrTail: string;
    },
  ) {
    super(message);
    this.name = "ProcessFailedError";
  }
}

const stderrTailCharacters = 2_000;

export function tailOf(text: string, characters = stderrTailCharacters): string {
  const trimmed = text.trim();
  return trimmed.length <= characters ? trimmed : `…${trimmed.slice(-characters)}`;
}

export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  options.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs,
        signal: options.signal,
        maxBuffer: options.maxBufferBytes ?? 32 * 1024 * 1024,
        encoding: "utf8",
        windowsHide: true,
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) => {
        if (options.signal?.aborted) {
          reject(options.signal.reason);
          return;
        }
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const failure = error as NodeJS.ErrnoException & {
          code?: number | string;
          killed?: boolean;
          signal?: NodeJS.Signals | null;
        };
        const spawnErrorCode = typeof failure.code === "string" ? failure.code : null;
        const exitCode = typeof failure.code === "number" ? failure.code : null;
        const timedOut = failure.killed === true && spawnErrorCode === null && exitCode === null;
        const stderrTail = tailOf(stderr ?? "");
        const summary =
          spawnErrorCode === "ENOENT"
            ? `${command} was not found`
            : timedOut
              ? `${command} timed out after ${options.timeoutMs} ms`
              : spawnErrorCode === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER"
                ? `${command} printed more output than allowed`
                : `${command} failed (exit code ${exitCode ?? "none"}${failure.signal ? `, signal ${failure.signal}` : ""})`;
        reject(
          new ProcessFailedError(stderrTail ? `${summary}: ${stderrTail}` : summary, {
            command,
            exitCode,
            signal: failure.signal ?? null,
            timedOut,
            spawnErrorCode,
            stderrTail,
          }),
        );
      },
    );
    if (options.onStdout) {
      child.stdout?.on("data", (chunk: string) => options.onStdout?.(chunk));
    }
  });
}
