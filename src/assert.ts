// Assertions for what the code relies on but the types cannot show. A
// failed one is a bug in Warren, never a client's mistake: it throws a plain
// Error (an internal error where a connection catches it) whose message says
// what was expected.

/** Throws unless `cond` holds; `expected` says what should have been true. */
export function assert(cond: unknown, expected: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${expected}`);
}

/** `value`, which must be there; `expected` says why it always is. */
export function present<T>(value: T | null | undefined, expected: string): T {
  if (value === null || value === undefined) throw new Error(`assertion failed: ${expected}`);
  return value;
}
