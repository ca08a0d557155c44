// Password hashes in RabbitMQ's rabbit_password_hashing_sha256 format,
// base64(salt ++ sha256(salt ++ utf8(password))), so user definitions move
// between RabbitMQ and Warren unchanged.
import assert from "node:assert/strict";
import { checkPassword, hashPassword } from "../../src/auth/password.ts";

// The worked example in RabbitMQ's documentation (passwords / "Computing
// a password hash"): salt 908D C60A, password "test12". Recomputed
// independently with Python's hashlib for this fixture.
const DOC_SALT = new Uint8Array([0x90, 0x8d, 0xc6, 0x0a]);
const DOC_HASH = "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR";

Deno.test("hashPassword reproduces the hash from RabbitMQ's documentation", () => {
  assert.equal(hashPassword("test12", DOC_SALT), DOC_HASH);
});

Deno.test("checkPassword accepts a hash made by RabbitMQ and refuses a wrong password", () => {
  assert.equal(checkPassword("test12", DOC_HASH), true);
  assert.equal(checkPassword("test13", DOC_HASH), false);
  assert.equal(checkPassword("", DOC_HASH), false);
  assert.equal(checkPassword("test12 ", DOC_HASH), false);
});

Deno.test("a non-ASCII password is hashed as UTF-8", () => {
  // python3: base64(salt + sha256(salt + "pässwörd".encode("utf-8"))) with salt 01020304
  const salt = new Uint8Array([1, 2, 3, 4]);
  assert.equal(hashPassword("pässwörd", salt), "AQIDBPwtq5ZIwNBPpzi5rjcenzm3jkMbdjQ9/km2mOuj20ER");
  assert.equal(checkPassword("pässwörd", "AQIDBPwtq5ZIwNBPpzi5rjcenzm3jkMbdjQ9/km2mOuj20ER"), true);
  assert.equal(checkPassword("passwort", "AQIDBPwtq5ZIwNBPpzi5rjcenzm3jkMbdjQ9/km2mOuj20ER"), false);
});

Deno.test("a fresh hash has a random 4-byte salt and round-trips", () => {
  const a = hashPassword("secret");
  const b = hashPassword("secret");
  assert.notEqual(a, b, "two hashes of one password differ by salt");
  for (const h of [a, b]) {
    assert.equal(atob(h).length, 4 + 32);
    assert.equal(checkPassword("secret", h), true);
    assert.equal(checkPassword("Secret", h), false);
  }
});

Deno.test("a malformed stored hash never matches", () => {
  for (const bad of ["", "not base64!", "AAAA", btoa("1234"), DOC_HASH.slice(0, -4)]) {
    assert.equal(checkPassword("test12", bad), false, JSON.stringify(bad));
  }
});
