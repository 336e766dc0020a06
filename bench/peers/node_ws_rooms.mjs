// The rooms peer: a plain Node.js `ws` server doing what bench/guests/room_relay.c does,
// the way its README shows (a broadcast loop over the room's clients, send() to echo).
//
//   node node_ws_rooms.mjs PORT_FILE
//
// Serves WebSockets at /rooms/<owner>/<action>/<room> (the server's path, so one load
// generator drives both); a message whose first byte is 'b' goes to every client of its
// room, sender included; any other is echoed to its sender. Listens on 127.0.0.1 on a free
// port and writes "127.0.0.1:PORT" to PORT_FILE. Any other path answers 404.
import fs from 'node:fs';
import http from 'node:http';

import { WebSocketServer } from 'ws';

const [portFile] = process.argv.slice(2);
if (!portFile) {
  console.error('usage: node_ws_rooms.mjs PORT_FILE');
  process.exit(2);
}

const ROOM_PATH = /^\/rooms\/[^/]+\/[^/]+\/([^/?#]+)(?:[?#].*)?$/;
const rooms = new Map();  // room name → Set of its clients
const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'Content-Type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok\n' : 'not found\n');
});
// No permessage-deflate: our server does not offer it either.
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });

server.on('upgrade', (req, socket, head) => {
  const match = ROOM_PATH.exec(req.url);
  if (!match) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => join(ws, decodeURIComponent(match[1])));
});

function join(ws, room) {
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(ws);
  ws.on('message', (data, isBinary) => {
    if (data.length > 0 && data[0] === 0x62 /* 'b' */) {
      for (const client of members) {
        if (client.readyState === client.OPEN) client.send(data, { binary: isBinary });
      }
    } else {
      ws.send(data, { binary: isBinary });
    }
  });
  ws.on('error', () => {});  // a reset client: 'close' follows and cleans up
  ws.on('close', () => {
    members.delete(ws);
    if (members.size === 0 && rooms.get(room) === members) rooms.delete(room);
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  fs.writeFileSync(`${portFile}.tmp`, `127.0.0.1:${port}\n`);
  fs.renameSync(`${portFile}.tmp`, portFile);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
