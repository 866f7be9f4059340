/**
 * Who holds the embedded database, written down so the next process can tell a live holder from a
 * dead one: the lock's owner pid (beside the lock) and, while `npm start` serves, where it listens
 * (`DATA_DIR/server.json`), so the CLI can talk to that server instead of opening the database.
 */
import fs from "node:fs";
import path from "node:path";

/** True while a process with this pid exists (EPERM: it exists, owned by someone else). */
export function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return pid === process.pid;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Inside the lock directory itself: a pid found there belongs to that very lock, so a process that
 * sees a lock without one yet (its holder is still writing it) never mistakes it for a dead one.
 */
export const lockOwnerPath = (directory: string) => path.join(`${directory}.lock`, "owner.pid");

export function writeLockOwner(directory: string): void {
  fs.writeFileSync(lockOwnerPath(directory), String(process.pid));
}

/** The pid recorded for the lock, or null when none was (a lock from before owners were written). */
export function readLockOwner(directory: string): number | null {
  try {
    const pid = Number(fs.readFileSync(lockOwnerPath(directory), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function removeLockOwner(directory: string): void {
  if (readLockOwner(directory) === process.pid) fs.rmSync(lockOwnerPath(directory), { force: true });
}

export interface RunningServer {
  pid: number;
  url: string;
}

export const serverInfoPath = (dataDirectory: string) => path.join(dataDirectory, "server.json");

export function writeServerInfo(dataDirectory: string, url: string): void {
  fs.mkdirSync(dataDirectory, { recursive: true });
  fs.writeFileSync(serverInfoPath(dataDirectory), `${JSON.stringify({ pid: process.pid, url })}\n`);
}

export function removeServerInfo(dataDirectory: string): void {
  if (readServerInfo(dataDirectory)?.pid === process.pid) fs.rmSync(serverInfoPath(dataDirectory), { force: true });
}

function readServerInfo(dataDirectory: string): RunningServer | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(serverInfoPath(dataDirectory), "utf8")) as Partial<RunningServer>;
    return typeof parsed.pid === "number" && typeof parsed.url === "string" ? { pid: parsed.pid, url: parsed.url } : null;
  } catch {
    return null;
  }
}

/** The server serving this data directory, if one is running (a file left by a dead one is ignored). */
export function findRunningServer(dataDirectory: string): RunningServer | null {
  const info = readServerInfo(dataDirectory);
  return info && info.pid !== process.pid && processIsAlive(info.pid) ? info : null;
}
