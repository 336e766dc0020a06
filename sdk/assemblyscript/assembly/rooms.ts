// Rooms: wrappers over the `room_*` and `event_*` host functions (host ABI contract v1,
// docs/host-abi.md "Rooms"). A room handler exports onJoin / onMessage / onLeave; inside
// them `event()` says which event runs, `payload()` holds the message and `reply()`
// answers the event's own connection. Like KvStore, nothing here throws: calls return
// the AbiError, or a value with the outcome in `Room.lastError` / `Event.lastError`.
//
// The event comes from the host calls, never from the environment: in persistent mode
// one instance runs many events and the WASI environment and stdin stay those of the
// first. Build handlers with `--exportStart _initialize` so that top-level code and
// global initializers run once per instance, before the first event.
import {
  AbiError, errorName, event_get, event_payload, room_broadcast, room_connections, room_select,
  room_send,
} from "./abi";
import { BufferCall, fromUtf8, toArrayBuffer, utf8 } from "./bytes";
import { JsonValue } from "./json";

class ConnectionsCall extends BufferCall {
  call(buf: usize, cap: usize, lenOut: usize): i32 { return room_connections(buf, cap, lenOut); }
}
class EventCall extends BufferCall {
  call(buf: usize, cap: usize, lenOut: usize): i32 { return event_get(buf, cap, lenOut); }
}
class PayloadCall extends BufferCall {
  call(buf: usize, cap: usize, lenOut: usize): i32 { return event_payload(buf, cap, lenOut); }
}

export class Room {
  /** Outcome of the last Room call. */
  static lastError: AbiError = AbiError.Ok;
  static get lastErrorName(): string { return errorName(Room.lastError); }

  /** To every connection of the current room except the ids in `except`. */
  static broadcastBytes(message: Uint8Array, except: string[] = []): AbiError {
    const ids = utf8(except.join("\n"));
    Room.lastError = <AbiError>room_broadcast(message.dataStart, <usize>message.byteLength,
                                              ids.dataStart, <usize>ids.byteLength);
    return Room.lastError;
  }

  static broadcast(message: string, except: string[] = []): AbiError {
    return Room.broadcastBytes(utf8(message), except);
  }

  /** To one connection of the current room (NotFound if it is not in the room). */
  static sendBytes(connection: string, message: Uint8Array): AbiError {
    const id = utf8(connection);
    Room.lastError = <AbiError>room_send(id.dataStart, <usize>id.byteLength, message.dataStart,
                                         <usize>message.byteLength);
    return Room.lastError;
  }

  static send(connection: string, message: string): AbiError {
    return Room.sendBytes(connection, utf8(message));
  }

  /** The current room's connection ids (empty on failure: see `Room.lastError`). */
  static connections(): string[] {
    const c = new ConnectionsCall();
    const bytes = c.run(1024);
    Room.lastError = c.code;
    if (bytes == null || bytes.length == 0) return new Array<string>();
    return fromUtf8(bytes).split("\n");
  }

  /** Makes room `name` of this action current (AccessDenied without the `rooms` grant). */
  static select(name: string): AbiError {
    const bytes = utf8(name);
    Room.lastError = <AbiError>room_select(bytes.dataStart, <usize>bytes.byteLength);
    return Room.lastError;
  }
}

export class Event {
  /** Outcome of the last Event call (NotFound outside a room event). */
  static lastError: AbiError = AbiError.Ok;
  static get lastErrorName(): string { return errorName(Event.lastError); }

  /** "join" | "message" | "leave" */
  event: string = "";
  room: string = "";
  connection: string = "";
  action: string = "";
  /** "text" | "binary" ("text" for join and leave) */
  messageType: string = "";

  get isJoin(): bool { return this.event == "join"; }
  get isMessage(): bool { return this.event == "message"; }
  get isLeave(): bool { return this.event == "leave"; }
  /** A binary frame (not valid UTF-8 text). */
  get isBinary(): bool { return this.messageType == "binary"; }

  /** The current event, or null outside a room event (see `Event.lastError`). */
  static get(): Event | null {
    const c = new EventCall();
    const bytes = c.run(512);
    Event.lastError = c.code;
    if (bytes == null) return null;
    const json = JsonValue.parse(fromUtf8(bytes));
    if (json == null || !json.isObject) {
      Event.lastError = AbiError.InvalidArgument;
      return null;
    }
    const e = new Event();
    e.event = json.getString("event");
    e.room = json.getString("room");
    e.connection = json.getString("connection");
    e.action = json.getString("action");
    e.messageType = json.getString("message_type");
    return e;
  }

  /** The current message's bytes (empty for join and leave, and on failure). */
  static payload(): Uint8Array {
    const c = new PayloadCall();
    const bytes = c.run(4096);
    Event.lastError = c.code;
    return bytes == null ? new Uint8Array(0) : bytes;
  }

  static payloadString(): string { return fromUtf8(Event.payload()); }
}

/** The current event, or null outside a room event (see `Event.lastError`). */
export function event(): Event | null { return Event.get(); }

/** The current message's bytes (empty for join and leave, and on failure). */
export function payload(): Uint8Array { return Event.payload(); }

/** The current message as UTF-8 text. */
export function payloadString(): string { return Event.payloadString(); }

/**
 * Appends `text` to the event's reply: everything written to stdout during an event goes
 * to the event's own connection as one message (nothing if empty). The WASI shim writes
 * stdout unbuffered, so nothing waits for a later event.
 */
export function reply(text: string): void { process.stdout.write(text); }

export function replyBytes(bytes: Uint8Array): void {
  process.stdout.write(toArrayBuffer(bytes));
}

/**
 * For onJoin: refuses the connection. The host closes it with code 1008 and `reason` as
 * the close reason (at most 123 bytes go out). Ends the handler (a non-zero exit).
 */
export function refuse(reason: string): void {
  process.stdout.write(reason);
  process.exit(1);
}
