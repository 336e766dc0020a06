// A small JSON reader and writer, enough for request bodies and API answers, with no
// dependency (AssemblyScript's JSON libraries need compiler transforms). The reader
// refuses anything malformed (null) and bounds nesting, so hostile bodies cannot
// exhaust the stack.

export enum JsonKind { Null, Bool, Number, String, Array, Object }

const MAX_DEPTH = 64;

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  boolValue: bool = false;
  numberValue: f64 = 0;
  stringValue: string = "";
  items: JsonValue[] = [];
  /** Object member names in document order (a repeated name keeps its last value). */
  keys: string[] = [];
  members: Map<string, JsonValue> = new Map<string, JsonValue>();

  /** The document `text`, or null if it is not exactly one valid JSON value. */
  static parse(text: string): JsonValue | null {
    const p = new Parser(text);
    const v = p.value(0);
    if (v == null) return null;
    p.skipSpace();
    return p.at == text.length ? v : null;
  }

  get isNull(): bool { return this.kind == JsonKind.Null; }
  get isBool(): bool { return this.kind == JsonKind.Bool; }
  get isNumber(): bool { return this.kind == JsonKind.Number; }
  get isString(): bool { return this.kind == JsonKind.String; }
  get isArray(): bool { return this.kind == JsonKind.Array; }
  get isObject(): bool { return this.kind == JsonKind.Object; }

  /** The member `name` of an object (null if absent or not an object). */
  get(name: string): JsonValue | null {
    if (this.kind != JsonKind.Object || !this.members.has(name)) return null;
    return this.members.get(name);
  }

  /** The string member `name`, or `fallback` when it is absent or not a string. */
  getString(name: string, fallback: string = ""): string {
    const v = this.get(name);
    return v != null && v.isString ? v.stringValue : fallback;
  }
}

class Parser {
  at: i32 = 0;
  constructor(public text: string) {}

  skipSpace(): void {
    while (this.at < this.text.length) {
      const c = this.text.charCodeAt(this.at);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.at++;
    }
  }

  value(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) return null;
    this.skipSpace();
    if (this.at >= this.text.length) return null;
    const c = this.text.charCodeAt(this.at);
    const v = new JsonValue();
    if (c == 0x7b /* { */) {
      v.kind = JsonKind.Object;
      this.at++;
      this.skipSpace();
      if (this.peek() == 0x7d) { this.at++; return v; }
      while (true) {
        this.skipSpace();
        if (this.peek() != 0x22) return null;
        const name = this.string();
        if (name == null) return null;
        this.skipSpace();
        if (this.peek() != 0x3a /* : */) return null;
        this.at++;
        const member = this.value(depth + 1);
        if (member == null) return null;
        if (!v.members.has(name)) v.keys.push(name);
        v.members.set(name, member);
        this.skipSpace();
        const sep = this.peek();
        this.at++;
        if (sep == 0x7d) return v;
        if (sep != 0x2c) return null;
      }
    }
    if (c == 0x5b /* [ */) {
      v.kind = JsonKind.Array;
      this.at++;
      this.skipSpace();
      if (this.peek() == 0x5d) { this.at++; return v; }
      while (true) {
        const item = this.value(depth + 1);
        if (item == null) return null;
        v.items.push(item);
        this.skipSpace();
        const sep = this.peek();
        this.at++;
        if (sep == 0x5d) return v;
        if (sep != 0x2c) return null;
      }
    }
    if (c == 0x22) {
      const s = this.string();
      if (s == null) return null;
      v.kind = JsonKind.String;
      v.stringValue = s;
      return v;
    }
    if (this.literal("true")) { v.kind = JsonKind.Bool; v.boolValue = true; return v; }
    if (this.literal("false")) { v.kind = JsonKind.Bool; return v; }
    if (this.literal("null")) return v;
    return this.number();
  }

  peek(): i32 { return this.at < this.text.length ? this.text.charCodeAt(this.at) : -1; }

  literal(word: string): bool {
    if (this.text.substr(this.at, word.length) != word) return false;
    this.at += word.length;
    return true;
  }

  number(): JsonValue | null {
    const start = this.at;
    if (this.peek() == 0x2d) this.at++;
    const digitsStart = this.at;
    while (isDigit(this.peek())) this.at++;
    if (this.at == digitsStart) return null;
    if (this.text.charCodeAt(digitsStart) == 0x30 && this.at - digitsStart > 1) return null;
    if (this.peek() == 0x2e) {
      this.at++;
      const f = this.at;
      while (isDigit(this.peek())) this.at++;
      if (this.at == f) return null;
    }
    if (this.peek() == 0x65 || this.peek() == 0x45) {
      this.at++;
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.at++;
      const e = this.at;
      while (isDigit(this.peek())) this.at++;
      if (this.at == e) return null;
    }
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.numberValue = parseFloat(this.text.substring(start, this.at));
    return v;
  }

  // At a '"': the decoded string (the closing quote consumed), or null if malformed.
  string(): string | null {
    this.at++;
    const parts = new Array<string>();
    let run = this.at;
    while (true) {
      if (this.at >= this.text.length) return null;
      const c = this.text.charCodeAt(this.at);
      if (c == 0x22) {
        parts.push(this.text.substring(run, this.at));
        this.at++;
        return parts.join("");
      }
      if (c < 0x20) return null;
      if (c != 0x5c) { this.at++; continue; }
      parts.push(this.text.substring(run, this.at));
      this.at++;
      const e = this.peek();
      this.at++;
      if (e == 0x22) parts.push("\"");
      else if (e == 0x5c) parts.push("\\");
      else if (e == 0x2f) parts.push("/");
      else if (e == 0x62) parts.push("\b");
      else if (e == 0x66) parts.push("\f");
      else if (e == 0x6e) parts.push("\n");
      else if (e == 0x72) parts.push("\r");
      else if (e == 0x74) parts.push("\t");
      else if (e == 0x75) {
        if (this.at + 4 > this.text.length) return null;
        let code = 0;
        for (let k = 0; k < 4; k++) {
          const h = hexValue(this.text.charCodeAt(this.at + k));
          if (h < 0) return null;
          code = (code << 4) | h;
        }
        this.at += 4;
        parts.push(String.fromCharCode(code));  // UTF-16 unit: surrogate pairs recombine
      } else {
        return null;
      }
      run = this.at;
    }
  }
}

function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }

export function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const HEX = "0123456789abcdef";

/**
 * `text` as a JSON string literal, quotes included. `<`, `>` and `&` are escaped too, so
 * the literal is safe inside an HTML <script> as well.
 */
export function jsonQuote(text: string): string {
  const parts = new Array<string>();
  parts.push("\"");
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let esc: string | null = null;
    if (c == 0x22) esc = "\\\"";
    else if (c == 0x5c) esc = "\\\\";
    else if (c == 0x0a) esc = "\\n";
    else if (c == 0x0d) esc = "\\r";
    else if (c == 0x09) esc = "\\t";
    else if (c < 0x20 || c == 0x3c || c == 0x3e || c == 0x26 || c == 0x2028 || c == 0x2029) {
      esc = "\\u" + HEX.charAt((c >> 12) & 15) + HEX.charAt((c >> 8) & 15) +
            HEX.charAt((c >> 4) & 15) + HEX.charAt(c & 15);
    }
    if (esc != null) {
      parts.push(text.substring(run, i));
      parts.push(esc);
      run = i + 1;
    }
  }
  parts.push(text.substring(run));
  parts.push("\"");
  return parts.join("");
}

/**
 * Builds a JSON object member by member: `new JsonObject().str("name", n).num("id", 3)
 * .toString()`. Values given to `raw` must already be JSON.
 */
export class JsonObject {
  private parts: string[] = [];

  private member(name: string, json: string): JsonObject {
    this.parts.push(jsonQuote(name) + ":" + json);
    return this;
  }
  str(name: string, value: string): JsonObject { return this.member(name, jsonQuote(value)); }
  strOrNull(name: string, value: string | null): JsonObject {
    return this.member(name, value == null ? "null" : jsonQuote(value));
  }
  num(name: string, value: f64): JsonObject {
    return this.member(name, Number.isFinite(value)
      ? (value == Math.floor(value) && Math.abs(value) < 9007199254740992.0
        ? (<i64>value).toString() : value.toString())
      : "null");
  }
  int(name: string, value: i64): JsonObject { return this.member(name, value.toString()); }
  bool(name: string, value: bool): JsonObject { return this.member(name, value ? "true" : "false"); }
  null(name: string): JsonObject { return this.member(name, "null"); }
  raw(name: string, json: string): JsonObject { return this.member(name, json); }
  toString(): string { return "{" + this.parts.join(",") + "}"; }
}

/** Builds a JSON array from already-serialised items. */
export class JsonArray {
  private parts: string[] = [];
  raw(json: string): JsonArray { this.parts.push(json); return this; }
  str(value: string): JsonArray { this.parts.push(jsonQuote(value)); return this; }
  get length(): i32 { return this.parts.length; }
  toString(): string { return "[" + this.parts.join(",") + "]"; }
}
