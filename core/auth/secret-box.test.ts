import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SecretKeyMismatchError, createSecretBox, secretBoxFor } from "./secret-box.ts";

describe("secret box", () => {
  it("round-trips, never stores the plain text, and refuses another key", () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.encrypt("whsec_abc");
    expect(sealed).not.toContain("whsec_abc");
    expect(box.encrypt("whsec_abc")).not.toBe(sealed);
    expect(box.decrypt(sealed)).toBe("whsec_abc");
    expect(() => createSecretBox(randomBytes(32)).decrypt(sealed)).toThrow(SecretKeyMismatchError);
  });

  it("creates one key file under DATA_DIR when SECRETS_KEY is unset, and reuses it", () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-secrets-"));
    const created: string[] = [];
    const sealed = secretBoxFor({ DATA_DIR: directory }, { onKeyFileCreated: (file) => created.push(file) }).encrypt("x");
    expect(created).toEqual([path.join(directory, "secrets.key")]);
    expect(fs.statSync(path.join(directory, "secrets.key")).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(path.join(directory, "secrets.key"), "utf8");
    expect(createSecretBox(Buffer.from(key, "base64")).decrypt(sealed)).toBe("x");
    fs.rmSync(directory, { recursive: true });
  });
});
