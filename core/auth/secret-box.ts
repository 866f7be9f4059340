/**
 * Secrets Calibrate must use again later (webhook signing secrets, which HMAC needs in the clear) are
 * stored encrypted with AES-256-GCM, not hashed: a database dump alone does not hand them out.
 * The key is `SECRETS_KEY` (32 bytes, base64) or, when unset, a key file created once under
 * DATA_DIR — enough for a single machine; processes on several machines must share `SECRETS_KEY`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CalibrateError } from "../errors.ts";

export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** The stored secret cannot be read with this key: fails at once, a retry cannot fix it. */
export class SecretKeyMismatchError extends CalibrateError {
  override readonly status = 500;
  override readonly code = "secret_key_mismatch";
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("The secrets key must be 32 bytes (base64 of 32 random bytes).");
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `v1.${iv.toString("base64url")}.${body.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
    },
    decrypt(sealed) {
      const [version, iv, body, tag] = sealed.split(".");
      if (version !== "v1" || !iv || body === undefined || !tag) throw new SecretKeyMismatchError("A stored secret is malformed.");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
      } catch (error) {
        throw new SecretKeyMismatchError(
          "A stored secret cannot be decrypted with this installation's key: every process must use the same SECRETS_KEY.",
          undefined,
          { cause: error },
        );
      }
    },
  };
}

const boxes = new Map<string, SecretBox>();

/**
 * The installation's box: from SECRETS_KEY (or its alias SECRET_KEY, see config.ts), else from (or a
 * new) DATA_DIR/secrets.key. `onKeyFileCreated` is called once, by the process that wrote a new key
 * file: start-up logs it loudly, since losing that file makes every stored secret unreadable.
 */
export function secretBoxFor(
  config: { SECRETS_KEY?: string; DATA_DIR: string },
  options: { onKeyFileCreated?: (file: string) => void } = {},
): SecretBox {
  const cacheKey = config.SECRETS_KEY ?? `file:${config.DATA_DIR}`;
  let box = boxes.get(cacheKey);
  if (!box) {
    box = createSecretBox(config.SECRETS_KEY ? Buffer.from(config.SECRETS_KEY, "base64") : keyFromFile(config.DATA_DIR, options.onKeyFileCreated));
    boxes.set(cacheKey, box);
  }
  return box;
}

function keyFromFile(dataDirectory: string, onKeyFileCreated?: (file: string) => void): Buffer {
  const file = path.join(dataDirectory, "secrets.key");
  try {
    return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(dataDirectory, { recursive: true });
  try {
    // `wx`: two processes starting together must not write two different keys.
    fs.writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    onKeyFileCreated?.(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
}
