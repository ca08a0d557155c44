// Topic matching: `*` is exactly one word, `#` zero or more, words are
// split on dots (empty words count), as RabbitMQ's topic exchange does.
// The trie may report a value once per matching path; the vhost removes
// duplicates, so these tests compare sets.
import assert from "node:assert/strict";
import { TopicTrie } from "../../src/broker/exchange/topic_trie.ts";

function matches(trie: TopicTrie<string>, key: string): string[] {
  const out: string[] = [];
  trie.match(key, out);
  return [...new Set(out)].sort();
}

function trieOf(bindings: Record<string, string[]>): TopicTrie<string> {
  const trie = new TopicTrie<string>();
  for (const [value, patterns] of Object.entries(bindings)) {
    for (const p of patterns) trie.add(p, value);
  }
  return trie;
}

/** Does `pattern` match `key`? One binding alone. */
function matchesOne(pattern: string, key: string): boolean {
  return matches(trieOf({ q: [pattern] }), key).length === 1;
}

Deno.test("the RabbitMQ topics tutorial: *.orange.*, *.*.rabbit and lazy.#", () => {
  const trie = trieOf({ Q1: ["*.orange.*"], Q2: ["*.*.rabbit", "lazy.#"] });
  const cases: [string, string[]][] = [
    ["quick.orange.rabbit", ["Q1", "Q2"]],
    ["lazy.orange.elephant", ["Q1", "Q2"]],
    ["quick.orange.fox", ["Q1"]],
    ["lazy.brown.fox", ["Q2"]],
    ["lazy.pink.rabbit", ["Q2"]],
    ["quick.brown.fox", []],
    ["orange", []],
    ["quick.orange.male.rabbit", []],
    ["lazy.orange.male.rabbit", ["Q2"]],
    ["lazy", ["Q2"]],
  ];
  for (const [key, expected] of cases) assert.deepEqual(matches(trie, key), expected, key);
});

Deno.test("the seed tutorial's products exchange: phone.* and *.red", () => {
  const trie = trieOf({ phones: ["phone.*"], red: ["*.red"], all: ["#"] });
  for (const product of ["phone", "pc", "tv"]) {
    for (const color of ["red", "green", "blue"]) {
      const key = `${product}.${color}`;
      const expected = ["all"];
      if (product === "phone") expected.push("phones");
      if (color === "red") expected.push("red");
      assert.deepEqual(matches(trie, key), expected.sort(), key);
    }
  }
  assert.deepEqual(matches(trie, "phone"), ["all"], "phone.* needs a second word");
  assert.deepEqual(matches(trie, "phone.red.x"), ["all"], "* is exactly one word");
});

Deno.test("* matches exactly one word, including an empty one", () => {
  assert.ok(matchesOne("*", "a"));
  assert.ok(!matchesOne("*", "a.b"));
  assert.ok(matchesOne("a.*", "a.b"));
  assert.ok(!matchesOne("a.*", "a"));
  assert.ok(matchesOne("*.*", "a.b"));
  assert.ok(matchesOne("a.*.c", "a.b.c"));
  assert.ok(!matchesOne("a.*.c", "a.c"));
  assert.ok(matchesOne("a.*", "a."), "a trailing empty word is a word");
  assert.ok(matchesOne("*.b", ".b"), "a leading empty word is a word");
  assert.ok(matchesOne("a.*.c", "a..c"), "an empty middle word is a word");
});

Deno.test("# matches zero or more words at the start, middle and end", () => {
  assert.ok(matchesOne("#", "a"));
  assert.ok(matchesOne("#", "a.b.c"));
  assert.ok(matchesOne("#", ""));
  assert.ok(matchesOne("#.c", "c"));
  assert.ok(matchesOne("#.c", "a.b.c"));
  assert.ok(!matchesOne("#.c", "a.b.c.d"));
  assert.ok(matchesOne("a.#.c", "a.c"));
  assert.ok(matchesOne("a.#.c", "a.b.c"));
  assert.ok(matchesOne("a.#.c", "a.b.b.b.c"));
  assert.ok(!matchesOne("a.#.c", "a.b.d"));
  assert.ok(matchesOne("a.#", "a"));
  assert.ok(matchesOne("a.#", "a.b.c"));
  assert.ok(!matchesOne("a.#", "b.a"));
  assert.ok(matchesOne("#.a.#", "a"));
  assert.ok(matchesOne("#.a.#", "x.a.y"));
  assert.ok(!matchesOne("#.a.#", "x.b.y"));
});

Deno.test("#.# behaves like # and *.# needs at least one word", () => {
  for (const key of ["a", "a.b", "a.b.c.d.e"]) assert.ok(matchesOne("#.#", key), key);
  assert.ok(matchesOne("*.#", "a"));
  assert.ok(matchesOne("*.#", "a.b.c"));
  assert.ok(matchesOne("#.*", "a"));
  assert.ok(matchesOne("#.*.#", "a.b"));
  assert.ok(matchesOne("a.#.#.b", "a.b"));
  assert.ok(matchesOne("a.#.*.#.b", "a.x.b"));
  assert.ok(!matchesOne("a.#.*.#.b", "a.b"));
});

Deno.test("literal words must match exactly, and the empty binding key matches only the empty routing key", () => {
  assert.ok(matchesOne("a.b", "a.b"));
  assert.ok(!matchesOne("a.b", "a.bc"));
  assert.ok(!matchesOne("a.b", "A.b"));
  assert.ok(matchesOne("", ""));
  assert.ok(!matchesOne("", "a"));
  assert.ok(!matchesOne("a", ""));
});

// RabbitMQ splits "" into zero words (rabbit_db_topic_exchange:
// split_topic_key_binary(<<>>) -> []), so a `*` binding, which needs one
// word, does not match the empty routing key. Warren splits "" into one
// empty word and routes it to `*` bindings.
Deno.test("the empty routing key has no words: * and *.# do not match it, # does", () => {
  assert.ok(matchesOne("#", ""));
  assert.ok(!matchesOne("*", ""), "'*' must not match the empty routing key");
  assert.ok(!matchesOne("*.#", ""), "'*.#' must not match the empty routing key");
  assert.ok(!matchesOne("#.*", ""), "'#.*' must not match the empty routing key");
});

Deno.test("a value bound with two patterns is found through each and removed per pattern", () => {
  const trie = trieOf({ q: ["a.*", "*.b"] });
  const raw: string[] = [];
  trie.match("a.b", raw);
  assert.deepEqual(raw, ["q", "q"], "one entry per matching pattern; the vhost dedups");
  trie.remove("a.*", "q");
  assert.deepEqual(matches(trie, "a.b"), ["q"]);
  assert.deepEqual(matches(trie, "a.c"), []);
  trie.remove("*.b", "q");
  assert.deepEqual(matches(trie, "a.b"), []);
});

Deno.test("removal takes out one value and keeps the others on the same pattern", () => {
  const trie = trieOf({ q1: ["a.#"], q2: ["a.#"], q3: ["a.b"] });
  trie.remove("a.#", "q1");
  assert.deepEqual(matches(trie, "a.b"), ["q2", "q3"]);
  trie.remove("a.#", "nobody");
  trie.remove("x.y.z", "q2");
  assert.deepEqual(matches(trie, "a.b"), ["q2", "q3"]);
  trie.remove("a.#", "q2");
  trie.remove("a.b", "q3");
  assert.deepEqual(matches(trie, "a.b"), []);
});

Deno.test("removing every pattern leaves nothing to match, and patterns can be added again", () => {
  const patterns = ["a.b.c", "a.*.c", "a.#", "#.c", "#", "*", "*.*.*", "a.#.#.c", "", "x..y"];
  const trie = new TopicTrie<string>();
  for (const p of patterns) trie.add(p, "q");
  for (const p of patterns) trie.remove(p, "q");
  for (const key of ["a.b.c", "", "x..y", "q", "a"]) assert.deepEqual(matches(trie, key), [], key);
  trie.add("a.*.c", "q2");
  assert.deepEqual(matches(trie, "a.b.c"), ["q2"]);
  assert.deepEqual(matches(trie, "a.b"), []);
});

/**
 * Runs one match in a child process, killed after timeoutMs: a match that
 * takes exponential time must fail the test, not hang the suite.
 */
async function matchInChild(pattern: string, key: string, timeoutMs: number): Promise<string> {
  const trieUrl = new URL("../../src/broker/exchange/topic_trie.ts", import.meta.url).href;
  const code = `import { TopicTrie } from ${JSON.stringify(trieUrl)};
const trie = new TopicTrie();
trie.add(${JSON.stringify(pattern)}, "q");
const out = [];
trie.match(${JSON.stringify(key)}, out);
console.log(out.length > 0 ? "match" : "none");`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  if (timedOut) return "timeout";
  return new TextDecoder().decode(out.stdout).trim();
}

// A naive matcher recurses once per way a `#` can swallow words, so a
// binding like "#.a.#.a.#.a ..." (any client may bind it) against a long
// routing key takes exponential time and blocks the single event loop.
// Warren remembers (trie node, word index) states, which keeps it polynomial.
Deno.test("topic matching stays fast for a binding with many # against a long routing key", async () => {
  const pattern = Array(10).fill("#.a").join("."); // 39 bytes, a legal binding key
  const noMatch = Array(100).fill("a").join(".") + ".b"; // 201 bytes, a legal routing key
  assert.equal(await matchInChild(pattern, noMatch, 5_000), "none", "must finish within 5 s");
  assert.equal(await matchInChild(pattern, Array(100).fill("a").join("."), 5_000), "match");
});
