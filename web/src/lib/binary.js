// Byte strings in the browser: KV keys and values are bytes, not text. The API sends keys that
// are not valid UTF-8 as base64 (`key_encoding: "base64"`) and takes them back in URLs as
// percent-encoded bytes.

const utf8 = new TextEncoder();

// The text of `bytes` if they are valid UTF-8, else null.
export function decodeUtf8(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function encodeUtf8(text) {
  return utf8.encode(text);
}

export function fromBase64(text) {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error('Not valid base64.');
  const binary = atob(clean);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toBase64(bytes) {
  let binary = '';
  // In chunks: String.fromCharCode with a 1 MiB spread would overflow the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

// "de ad be ef", any whitespace between byte pairs accepted.
export function fromHex(text) {
  const clean = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error('Not valid hex: use pairs of 0-9 a-f.');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

// A classic dump: offset, 16 bytes in hex, the printable ASCII beside them.
export function hexDump(bytes, maxBytes = 64 * 1024) {
  const lines = [];
  const end = Math.min(bytes.length, maxBytes);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes`);
  return lines.join('\n');
}

// Every byte that is not unreserved becomes %XX, so any byte string survives a URL path
// segment or query value (including "/", "%", "?", "#" and bytes that are not UTF-8).
export function percentEncodeBytes(bytes) {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// A key as listed by the API ({key, key_encoding}) → its bytes.
export function keyBytes(key, encoding = 'utf8') {
  return encoding === 'base64' ? fromBase64(key) : encodeUtf8(key);
}

// A key for a URL path or query: its bytes, every one percent-encoded ("." too, which
// keeps "a.b" from ever looking like a dot segment).
export function encodeKey(key, encoding = 'utf8') {
  return percentEncodeBytes(keyBytes(key, encoding));
}

// Whole-segment "." and ".." are removed by every URL parser, encoded or not: no request can
// carry them as a path segment.
export function keyIsAddressable(key, encoding = 'utf8') {
  if (encoding === 'base64') return true;
  return key !== '.' && key !== '..';
}
