import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findRunningServer, processIsAlive, removeServerInfo, serverInfoPath, writeServerInfo } from "./process-files.ts";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

describe("server discovery in DATA_DIR", () => {
  it("finds a live server, ignores one whose process is gone, and never itself", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-discovery-"));
    directories.push(directory);
    expect(findRunningServer(directory)).toBeNull();

    // Written by this process: another process would find it, this one does not talk to itself.
    writeServerInfo(directory, "http://127.0.0.1:3000");
    expect(findRunningServer(directory)).toBeNull();

    fs.writeFileSync(serverInfoPath(directory), JSON.stringify({ pid: process.ppid, url: "http://127.0.0.1:3001" }));
    expect(findRunningServer(directory)).toEqual({ pid: process.ppid, url: "http://127.0.0.1:3001" });

    const gone = await deadPid();
    expect(processIsAlive(gone)).toBe(false);
    fs.writeFileSync(serverInfoPath(directory), JSON.stringify({ pid: gone, url: "http://127.0.0.1:3002" }));
    expect(findRunningServer(directory)).toBeNull();

    // Only the writer removes its own file.
    removeServerInfo(directory);
    expect(fs.existsSync(serverInfoPath(directory))).toBe(true);
  });
});
