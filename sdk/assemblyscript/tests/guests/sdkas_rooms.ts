// SDK test guest: calls every rooms wrapper, so its import section lists every room
// function of the contract (the test checks names and signatures). Run as a command
// (`wasm-actions run`, no rooms grant) it links, and every room call answers
// access_denied.
import { Event, Room, errorName } from "../../assembly/index";

export function onMessage(): void {
  const e = Event.get();
  const payload = Event.payloadString();
  Room.select("lobby");
  Room.broadcast(payload, e == null ? [] : [e.connection]);
  const ids = Room.connections();
  if (ids.length > 0) Room.send(ids[0], "hi");
  process.stdout.write(errorName(Room.lastError));
}
onMessage();
