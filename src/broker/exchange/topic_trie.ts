// A trie over dot-separated words for topic routing: `*` matches exactly one
// word, `#` zero or more. Matching walks only the branches the routing key
// can reach, never every binding.
import { assert } from "../../assert.ts";

let nextNodeId = 0;

class TopicNode<T> {
  readonly id = nextNodeId++;
  children: Map<string, TopicNode<T>> | null = null;
  star: TopicNode<T> | null = null;
  hash: TopicNode<T> | null = null;
  values: T[] = [];

  get isEmpty(): boolean {
    return this.values.length === 0 && this.star === null && this.hash === null &&
      (this.children === null || this.children.size === 0);
  }
}

const NO_WORDS: string[] = [];

/** RabbitMQ splits the empty key into no words at all, not one empty word. */
function wordsOf(key: string): string[] {
  return key === "" ? NO_WORDS : key.split(".");
}

export class TopicTrie<T> {
  #root = new TopicNode<T>();
  #hashNodes = 0;

  add(pattern: string, value: T): void {
    let node = this.#root;
    for (const word of wordsOf(pattern)) {
      if (word === "*") node = node.star ??= new TopicNode();
      else if (word === "#") {
        if (node.hash === null) {
          node.hash = new TopicNode();
          this.#hashNodes++;
        }
        node = node.hash;
      } else {
        const children = node.children ??= new Map();
        let child = children.get(word);
        if (!child) {
          child = new TopicNode();
          children.set(word, child);
        }
        node = child;
      }
    }
    node.values.push(value);
  }

  remove(pattern: string, value: T): void {
    this.#remove(this.#root, wordsOf(pattern), 0, value);
  }

  /** Appends every value whose pattern matches `routingKey` (possibly more than once). */
  match(routingKey: string, out: T[]): void {
    // With `#` in play, (node, position) pairs repeat; remembering them keeps matching polynomial.
    const visited = this.#hashNodes > 0 ? new Set<number>() : null;
    this.#match(this.#root, wordsOf(routingKey), 0, out, visited);
  }

  #match(node: TopicNode<T>, words: string[], i: number, out: T[], visited: Set<number> | null): void {
    if (node.hash !== null) {
      assert(visited !== null, "a trie with a '#' node is matched with a visited set");
      // `#` may swallow zero or more of the remaining words.
      const hash = node.hash;
      for (let j = i; j <= words.length; j++) {
        const key = hash.id * (words.length + 1) + j;
        if (visited.has(key)) continue;
        visited.add(key);
        this.#match(hash, words, j, out, visited);
      }
    }
    if (i === words.length) {
      const values = node.values;
      for (let k = 0; k < values.length; k++) out.push(values[k]);
      return;
    }
    const child = node.children?.get(words[i]);
    if (child !== undefined) this.#match(child, words, i + 1, out, visited);
    if (node.star !== null) this.#match(node.star, words, i + 1, out, visited);
  }

  #remove(node: TopicNode<T>, words: string[], i: number, value: T): boolean {
    if (i === words.length) {
      const k = node.values.indexOf(value);
      if (k >= 0) node.values.splice(k, 1);
      return node.isEmpty;
    }
    const word = words[i];
    if (word === "*" && node.star) {
      if (this.#remove(node.star, words, i + 1, value)) node.star = null;
    } else if (word === "#" && node.hash) {
      if (this.#remove(node.hash, words, i + 1, value)) {
        node.hash = null;
        this.#hashNodes--;
      }
    } else {
      const children = node.children;
      const child = children?.get(word);
      if (children && child && this.#remove(child, words, i + 1, value)) children.delete(word);
    }
    return node !== this.#root && node.isEmpty;
  }
}
