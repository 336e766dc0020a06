// wa-guest: reactor
// SDK test guest: a room handler on the rooms wrappers (event(), payload(), reply(),
// refuse(), Room.*). sdk/assemblyscript/tests/sdk_assemblyscript_rooms_test.cc runs its
// exports through the engine with a RoomCallState bound. The first line makes
// CMakeLists.txt build it with `--exportStart _initialize`, as room handlers are built.
//   onJoin     ids starting with "banned" are refused ("banned: <id>"); others get
//              "welcome <id> to <room>" and the others "<id> joined"
//   onMessage  "/who"              reply: the room's ids, comma-separated (sorted)
//              "/event"            reply: the parsed event
//              "/to <id> <text>"   Room.send; reply: the error name
//              "/in <room> <text>" Room.select, then broadcast; reply: both error names
//              "/count"            reply: "count=<n> mine=<m>": this instance's messages so
//                                  far, and the sender's (a Map: heap state that needs
//                                  _initialize; 1 each time per-event, growing when
//                                  persistent)
//              anything else       broadcast to the others as it came (text or binary);
//                                  reply: the error name
//   onLeave    "<id> left" to the room
import { errorName, event, payload, refuse, reply, Room } from "../../assembly/index";

// Made in _initialize; lives as long as the instance.
const perConnection = new Map<string, i32>();
let messages = 0;

export function onJoin(): void {
  const e = event();
  if (e == null) { refuse("no event"); return; }
  if (e.connection.startsWith("banned")) { refuse("banned: " + e.connection); return; }
  Room.broadcast(e.connection + " joined", [e.connection]);
  reply("welcome " + e.connection + " to " + e.room);
}

export function onMessage(): void {
  const e = event();
  if (e == null) return;
  const data = payload();
  const text = e.isBinary ? "" : String.UTF8.decodeUnsafe(data.dataStart, <usize>data.byteLength);
  messages++;
  const mine = (perConnection.has(e.connection) ? perConnection.get(e.connection) : 0) + 1;
  perConnection.set(e.connection, mine);
  if (text == "/count") {
    reply("count=" + messages.toString() + " mine=" + mine.toString());
  } else if (text == "/who") {
    const ids = Room.connections();
    ids.sort();
    reply(Room.lastError == 0 ? ids.join(",") : Room.lastErrorName);
  } else if (text == "/event") {
    reply("kind=" + e.event + " room=" + e.room + " connection=" + e.connection + " action=" +
          e.action + " type=" + e.messageType + " binary=" + (e.isBinary ? "true" : "false"));
  } else if (text.startsWith("/to ")) {
    const rest = text.substring(4);
    const space = rest.indexOf(" ");
    reply(errorName(Room.send(rest.substring(0, space), rest.substring(space + 1))));
  } else if (text.startsWith("/in ")) {
    const rest = text.substring(4);
    const space = rest.indexOf(" ");
    const selected = errorName(Room.select(rest.substring(0, space)));
    reply(selected + " " + errorName(Room.broadcast(rest.substring(space + 1))));
  } else {
    reply(errorName(Room.broadcastBytes(data, [e.connection])));
  }
}

export function onLeave(): void {
  const e = event();
  if (e != null) Room.broadcast(e.connection + " left");
}
