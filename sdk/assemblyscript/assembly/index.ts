// wasm-actions-sdk: write WASM Actions guests in AssemblyScript.
//   import { fetch, KvStore, Request, Response } from "wasm-actions-sdk";
// Build with the WASI shim's config:
//   asc assembly/index.ts --config ./node_modules/@assemblyscript/wasi-shim/asconfig.json
export { AbiError, errorName } from "./abi";
export { fromUtf8, isUtf8, utf8 } from "./bytes";
export { KvStore } from "./kv";
export { event, Event, payload, payloadString, refuse, reply, replyBytes, Room } from "./rooms";
export { env, escapeHtml, Params, percentDecode, Request, Response } from "./cgi";
export { Files } from "./files";
export { JsonArray, JsonKind, JsonObject, jsonQuote, JsonValue } from "./json";
export {
  callAction, fetch, FetchInit, headerLines, HttpError, httpErrorName, HttpResponse,
} from "./http";
