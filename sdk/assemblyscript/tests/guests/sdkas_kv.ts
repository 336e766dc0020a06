// SDK test guest: exercises every KvStore wrapper. argv[1] names the
// scenario; each prints `name=value` lines the test (sdk_assemblyscript_test.cc) checks.
import { errorName, isUtf8, KvStore } from "../../assembly/index";

function say(line: string): void { process.stdout.write(line + "\n"); }

function open(name: string): KvStore {
  const s = KvStore.open(name);
  if (s == null) {
    say("open=" + KvStore.lastErrorName);
    process.exit(3);
  }
  return s!;
}

function wrappers(): void {
  const kv = open("default");
  say("set=" + errorName(kv.setString("greeting", "héllo")));
  const got = kv.getString("greeting");
  say("get=" + (got == null ? "null" : got));
  say("absent=" + (kv.getString("nope") == null ? "null" : "value") + " " + kv.errorName);
  say("exists=" + kv.exists("greeting").toString() + "," + kv.exists("nope").toString());
  const bytes = new Uint8Array(3);
  bytes[0] = 0; bytes[1] = 255; bytes[2] = 7;
  kv.set("bin", bytes);
  const back = kv.get("bin");
  say("bytes=" + (back == null ? "null" : back.length.toString() + ":" + back[1].toString()));
  say("incr=" + kv.increment("n", 5).toString() + "," + kv.increment("n", -7).toString());
  say("incr_big=" + kv.increment("big", 9007199254740993).toString());
  kv.increment("greeting", 1);
  say("incr_text=" + kv.errorName);
  say("cas_absent=" + kv.compareAndSwap("lock", null, "a").toString() + "," +
      kv.compareAndSwap("lock", null, "b").toString());
  say("cas_value=" + kv.compareAndSwap("lock", "a", "c").toString() + "," +
      kv.compareAndSwap("lock", "a", "d").toString() + "," + kv.getString("lock")!);
  say("cas_missing=" + kv.compareAndSwap("missing", "x", "y").toString() + " " + kv.errorName);
  say("delete=" + errorName(kv.delete("greeting")) + "," + errorName(kv.delete("greeting")) + "," +
      kv.exists("greeting").toString());
  say("empty_key=" + errorName(kv.setString("", "x")));
  // Keys are bytes: one that is not UTF-8 round-trips through the bytes variants.
  const raw = new Uint8Array(3);
  raw[0] = 0xff; raw[1] = 0x00; raw[2] = 0x41;
  const rawPrefix = new Uint8Array(1);
  rawPrefix[0] = 0xff;
  kv.setBytes(raw, bytes);
  const rawKeys = kv.keysBytes(rawPrefix, new Uint8Array(0));
  say("raw_keys=" + rawKeys.length.toString() + ":" +
      (rawKeys.length == 1 ? rawKeys[0].length.toString() + ":" + isUtf8(rawKeys[0]).toString() : "-") +
      " " + kv.existsBytes(raw).toString() + " " + errorName(kv.deleteBytes(raw)));
  const other = KvStore.open("not-granted");
  say("open_other=" + (other == null ? "null" : "store") + " " + KvStore.lastErrorName);
}

function paging(): void {
  const kv = open("default");
  for (let i = 0; i < 50; i++) {
    const n = i.toString();
    kv.setString("page:" + "000".substring(n.length) + n, "v" + n);
  }
  kv.setString("other:x", "1");
  // 36-byte pages hold 3 records of 12 bytes (4 + an 8-byte key): 17 pages of 50 keys.
  let pages = 0;
  let count = 0;
  let after = "";
  let ordered = true;
  let previous = "";
  while (true) {
    const page = kv.keys("page:", after, 36);
    if (!kv.ok) { say("keys_error=" + kv.errorName); return; }
    if (page.length == 0) break;
    pages++;
    for (let i = 0; i < page.length; i++) {
      if (page[i] <= previous) ordered = false;
      previous = page[i];
    }
    count += page.length;
    after = page[page.length - 1];
  }
  say("pages=" + pages.toString() + " keys=" + count.toString() + " ordered=" + ordered.toString());
  say("first_page=" + kv.keys("page:", "", 36).join(","));
  say("after_last=" + kv.keys("page:", "page:049", 36).length.toString());
  say("all=" + kv.allKeys("page:", 20).length.toString());
  // A key longer than the page: the SDK grows the buffer to the size the host asks for.
  let long = "long:";
  while (long.length < 600) long += "x";
  kv.setString(long, "1");
  const grown = kv.keys("long:", "", 16);
  say("grown=" + grown.length.toString() + ":" + (grown.length > 0 ? grown[0].length.toString() : "0") +
      " " + kv.errorName);
}

function bigValue(): void {
  const kv = open("default");
  const value = new Uint8Array(200000);
  for (let i = 0; i < value.length; i++) value[i] = <u8>(i * 7);
  say("set=" + errorName(kv.set("big", value)));
  const back = kv.get("big", 16);
  let same = false;
  if (back != null && back.length == value.length) {
    same = true;
    for (let i = 0; i < value.length; i++) if (back[i] != value[i]) { same = false; break; }
  }
  say("roundtrip=" + same.toString() + " " + kv.errorName);
  const tooBig = new Uint8Array(2 << 20);
  say("too_large=" + errorName(kv.set("huge", tooBig)));
}

function readOnly(): void {
  const kv = open("default");
  const v = kv.getString("seed");
  say("read=" + (v == null ? "null " + kv.errorName : v));
  say("set=" + errorName(kv.setString("seed", "changed")));
  say("delete=" + errorName(kv.delete("seed")));
  kv.increment("seed", 1);
  say("increment=" + kv.errorName);
  kv.compareAndSwap("seed", null, "x");
  say("cas=" + kv.errorName);
  say("keys=" + kv.keys().join(","));
}

function seed(): void {
  const kv = open("default");
  say("seed=" + errorName(kv.setString("seed", "planted")));
}

const scenario = process.argv.length > 1 ? process.argv[1] : "";
if (scenario == "wrappers") wrappers();
else if (scenario == "paging") paging();
else if (scenario == "big") bigValue();
else if (scenario == "readonly") readOnly();
else if (scenario == "seed") seed();
else { say("unknown scenario " + scenario); process.exit(2); }
