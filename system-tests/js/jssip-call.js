// A JsSIP user agent under Node for the system tests: real JsSIP (SIP over WebSocket, RFC 7118)
// with the ws package as its socket and @roamhq/wrtc as its WebRTC stack. It calls a target and
// reports each step on stdout, one line per event, for the Java test to read:
//   READY, CONFIRMED, REINVITED, ENDED <originator> <cause>, FAILED <originator> <cause>
// Modes (argv[4]):
//   wait-remote-bye   stay in the call until the other side ends it, then exit 0
//   drop-socket       once the call is up, close the WebSocket without a BYE (the client is gone)
// Usage: node jssip-call.js <ws-url> <target-uri> <from-uri> <mode> [<ca.pem>]
// With wss: the server's certificate is checked against <ca.pem> (or Node's default CAs).
'use strict';

const JsSIP = require('jssip');
const WebSocket = require('ws');
const wrtc = require('@roamhq/wrtc');

const [, , url, target, from, mode, caFile] = process.argv;
const ca = caFile ? require('fs').readFileSync(caFile) : undefined;

// JsSIP looks for WebRTC on window, as in a browser.
global.window = global;
global.RTCPeerConnection = wrtc.RTCPeerConnection;
global.RTCSessionDescription = wrtc.RTCSessionDescription;
global.MediaStream = wrtc.MediaStream;

function say(line) {
  process.stdout.write(line + '\n');
}

/** JsSIP's Socket interface (JsSIP.Socket) over the ws package, with the sip subprotocol. */
class NodeWebSocket {
  constructor(wsUrl) {
    this.url = wsUrl;
    this.via_transport = wsUrl.startsWith('wss:') ? 'WSS' : 'WS';
    this.sip_uri = 'sip:' + new URL(wsUrl).host + ';transport=ws';
    this._ws = null;
  }

  connect() {
    this._ws = new WebSocket(this.url, 'sip', { ca });
    this._ws.on('open', () => this.onconnect());
    this._ws.on('close', (code, reason) => this.ondisconnect(false, code, String(reason)));
    this._ws.on('error', (e) => say('SOCKET-ERROR ' + e.message));
    this._ws.on('message', (data, isBinary) => this.ondata(isBinary ? data : data.toString('utf8')));
  }

  disconnect() {
    if (this._ws) {
      this._ws.close();
    }
  }

  send(message) {
    if (!this.isConnected()) {
      return false;
    }
    this._ws.send(message);
    return true;
  }

  isConnected() {
    return this._ws !== null && this._ws.readyState === WebSocket.OPEN;
  }

  isConnecting() {
    return this._ws !== null && this._ws.readyState === WebSocket.CONNECTING;
  }

  /** Closes the TCP connection at once: no close frame, no BYE. */
  drop() {
    this._ws.terminate();
  }
}

const socket = new NodeWebSocket(url);
const ua = new JsSIP.UA({
  sockets: [socket],
  uri: from,
  register: false,
  session_timers: false,
  connection_recovery_min_interval: 3600,
  connection_recovery_max_interval: 3600,
});

function finish(code) {
  // wrtc's native threads can crash a plain exit; leave at once with the code.
  setTimeout(() => process.exit(code), 100);
}

const source = new wrtc.nonstandard.RTCAudioSource();
const track = source.createTrack();
const stream = new wrtc.MediaStream([track]);

ua.on('connected', () => {
  say('READY');
  const session = ua.call(target, {
    mediaStream: stream,
    pcConfig: { iceServers: [] },
    rtcOfferConstraints: { offerToReceiveAudio: true },
  });
  session.on('confirmed', () => {
    say('CONFIRMED');
    if (mode === 'drop-socket') {
      setTimeout(() => {
        socket.drop();
        say('DROPPED');
        finish(0);
      }, 200);
    }
  });
  session.on('reinvite', () => say('REINVITED'));
  session.on('ended', (e) => {
    say('ENDED ' + e.originator + ' ' + e.cause);
    finish(e.originator === 'remote' ? 0 : 3);
  });
  session.on('failed', (e) => {
    say('FAILED ' + e.originator + ' ' + e.cause);
    finish(2);
  });
});
ua.on('disconnected', () => say('DISCONNECTED'));
ua.start();
setTimeout(() => {
  say('TIMEOUT');
  finish(4);
}, 30000);
