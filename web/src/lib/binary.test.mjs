// Unit tests of the byte helpers (node --test; registered in tests/browser/CMakeLists.txt).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeUtf8, encodeKey, fromBase64, fromHex, hexDump, keyBytes, keyIsAddressable, percentEncodeBytes, toBase64, toHex,
} from './binary.js';

describe('binary helpers', () => {
  it('tells UTF-8 from other bytes', () => {
    assert.equal(decodeUtf8(new Uint8Array([0x68, 0xc3, 0xa9])), 'hé');
    assert.equal(decodeUtf8(new Uint8Array([0xff, 0x61])), null);
    assert.equal(decodeUtf8(new Uint8Array([0xc3])), null, 'a truncated sequence is not text');
  });

  it('percent-encodes every byte that is not unreserved', () => {
    assert.equal(percentEncodeBytes(new Uint8Array([0x61, 0x2f, 0x25, 0x00, 0xff, 0x2e, 0x20, 0x2b])), 'a%2F%25%00%FF%2E%20%2B');
    assert.equal(encodeKey('a/b c?#'), 'a%2Fb%20c%3F%23');
    assert.equal(encodeKey('é'), '%C3%A9');
    // A base64 key is sent as its bytes, not as its base64 text.
    assert.equal(encodeKey('/2Ev', 'base64'), '%FFa%2F');
  });

  it('round-trips base64 and hex, and refuses malformed input', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    assert.deepEqual(fromBase64(toBase64(all)), all);
    assert.deepEqual(fromHex(toHex(all)), all);
    assert.deepEqual(fromHex('DE ad\nbe EF'), new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    assert.throws(() => fromHex('abc'), /hex/);
    assert.throws(() => fromHex('zz'), /hex/);
    assert.throws(() => fromBase64('a$=='), /base64/);
    assert.throws(() => fromBase64('abcde'), /base64/);
    assert.deepEqual(keyBytes('/2Ev', 'base64'), new Uint8Array([0xff, 0x61, 0x2f]));
  });

  it('encodes a large value without overflowing the stack', () => {
    const big = new Uint8Array(1024 * 1024 + 3).fill(7);
    assert.deepEqual(fromBase64(toBase64(big)), big);
  });

  it('dumps bytes as offset, hex and ASCII, and bounds the dump', () => {
    const dump = hexDump(new Uint8Array([0x41, 0x00, 0x7f, 0x42]));
    assert.equal(dump, `00000000  41 00 7f 42${' '.repeat(36)}  A..B`);
    const long = hexDump(new Uint8Array(100), 32);
    assert.equal(long.split('\n').length, 3);
    assert.match(long, /68 more bytes/);
  });

  it('knows which keys no URL can carry', () => {
    assert.equal(keyIsAddressable('.'), false);
    assert.equal(keyIsAddressable('..'), false);
    assert.equal(keyIsAddressable('...'), true);
    assert.equal(keyIsAddressable('a/..'), true);
  });
});
