// Opens many idle SIP WebSocket connections (subprotocol sip) and holds them, answering the
// server's pings (the ws package sends the pongs by itself). Reports on stdout, one line each:
//   OPEN <n>          every connection is open (<n> of them)
//   PINGS <n> <c>     pings received so far, connections still open
//   FAILED <reason>   a connection could not be opened or was closed by the server
// Usage: node ws-idle.js <ws-url> <count>; stops on SIGTERM.
'use strict';

const WebSocket = require('ws');

const [, , url, countArg] = process.argv;
const count = Number(countArg);
const sockets = [];
let opened = 0;
let pings = 0;
let closedByServer = 0;
let started = 0;
let stopping = false;

function say(line) {
  process.stdout.write(line + '\n');
}

function openOne() {
  started++;
  const ws = new WebSocket(url, 'sip', { perMessageDeflate: false });
  ws.on('open', () => {
    opened++;
    if (opened === count) {
      say('OPEN ' + opened);
    } else if (started < count) {
      openOne();
    }
  });
  ws.on('ping', () => pings++);
  ws.on('error', (e) => say('FAILED ' + e.message));
  ws.on('close', () => {
    if (!stopping) {
      closedByServer++;
    }
  });
  sockets.push(ws);
}

// At most 100 handshakes in flight: each open starts the next.
for (let i = 0; i < Math.min(100, count); i++) {
  openOne();
}
setInterval(() => say('PINGS ' + pings + ' ' + (opened - closedByServer)), 1000);
process.on('SIGTERM', () => {
  stopping = true;
  for (const ws of sockets) {
    ws.terminate();
  }
  process.exit(0);
});
