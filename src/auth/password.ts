// Password hashes in RabbitMQ's rabbit_password_hashing_sha256 format:
// base64(salt(4 bytes) ++ sha256(salt ++ password)), so definitions
// exported from RabbitMQ keep working here and the other way round.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const SALT_BYTES = 4;

export function hashPassword(password: string, salt: Uint8Array = randomBytes(SALT_BYTES)): string {
  const digest = createHash("sha256").update(salt).update(password, "utf8").digest();
  const out = new Uint8Array(salt.length + digest.length);
  out.set(salt, 0);
  out.set(digest, salt.length);
  return btoa(String.fromCharCode(...out));
}

export function checkPassword(password: string, passwordHash: string): boolean {
  let raw: Uint8Array;
  try {
    raw = Uint8Array.from(atob(passwordHash), (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  if (raw.length <= SALT_BYTES) return false;
  const expected = hashPassword(password, raw.subarray(0, SALT_BYTES));
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(passwordHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
