#!/usr/bin/env node
// /ws/echo and /ws/chat (SPEC §3) against Node's `ws` (Debian's node-ws).
//
// Starts the real gale binary on a free port with --workers 2 and checks:
//   - /ws/echo echoes text and binary messages of several sizes;
//   - ping gets its pong;
//   - a clean close: the client closes with 1000 and its close event says
//     1000 (the server answered with 1000);
//   - /ws/chat: a text message reaches 4 clients, the sender included, in
//     one order for all when 2 clients send at once;
//   - permessage-deflate is not negotiated (compression is off by default):
//     with perMessageDeflate: false no extension is in use, and a client
//     that offers it gets no Sec-WebSocket-Extensions back.
//
// Usage: node node_client_test.js GALE_BINARY   (or GALE_BINARY in the env)
// Prints "N passed, N failed"; exits 1 on any failure, 77 when node-ws is
// missing (ctest's SKIP_RETURN_CODE). Every process it starts is stopped by
// its pid.
'use strict';

const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const SKIP = 77;
const TIMEOUT_MS = 10000;

function loadWs() {
  const candidates = ['ws', '/usr/share/nodejs/ws', '/usr/lib/nodejs/ws'];
  for (const c of candidates) {
    try {
      return require(c);
    } catch (e) {
      // try the next one
    }
  }
  return null;
}

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) {
    passed++;
    console.log('PASS ' + name);
  } else {
    failed++;
    console.log('FAIL ' + name + (detail === undefined ? '' : ' ' + detail));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout: ' + what)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({host: '127.0.0.1', port, path: '/health',
                          timeout: 1000}, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

async function startGale(binary, workdir) {
  const port = await freePort();
  const log = fs.openSync(path.join(workdir, 'gale.log'), 'w');
  const proc = childProcess.spawn(binary, [
    '--host', '127.0.0.1', '--port', String(port), '--workers', '2',
    '--access-log', 'off'], {cwd: workdir, stdio: ['ignore', log, log],
                             detached: true});  // a process group of its own
  let exited = null;
  proc.on('exit', (code, sig) => { exited = {code, sig}; });
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (exited) throw new Error('gale exited: ' + JSON.stringify(exited));
    if (await healthy(port)) {
      return {proc, port, log, exited: () => exited};
    }
    await sleep(50);
  }
  throw new Error('gale did not become ready');
}

async function stopGale(server) {
  if (!server) return;
  if (server.exited()) return;
  const done = new Promise((r) => server.proc.once('exit', r));
  server.proc.kill('SIGTERM');
  try {
    await withTimeout(done, 15000, 'gale stop');
  } catch (e) {
    try { process.kill(-server.proc.pid, 'SIGKILL'); } catch (e2) { /* gone */ }
    await done;
  }
  fs.closeSync(server.log);
}

// A client with a queue of received messages and an awaitable close.
function open(WebSocket, url, options) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, Object.assign({perMessageDeflate: false,
                                                  handshakeTimeout: TIMEOUT_MS},
                                                 options || {}));
    const queue = [];
    const waiters = [];
    let closeInfo = null;
    ws.closed = new Promise((r) => ws.on('close', (code, reason) => {
      closeInfo = {code, reason: reason.toString()};
      while (waiters.length) waiters.shift()(null);  // wake readers
      r(closeInfo);
    }));
    ws.on('message', (data, isBinary) => {
      const m = {data: isBinary ? Buffer.from(data) : data.toString(), isBinary};
      if (waiters.length) waiters.shift()(m); else queue.push(m);
    });
    ws.next = () => withTimeout(new Promise((r, reject) => {
      if (queue.length) r(queue.shift());
      else if (closeInfo) reject(new Error('closed ' + JSON.stringify(closeInfo)));
      else waiters.push((m) => m ? r(m) : reject(
        new Error('closed ' + JSON.stringify(closeInfo))));
    }), TIMEOUT_MS, 'message on ' + url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) =>
      reject(new Error('handshake answered ' + res.statusCode)));
  });
}

async function nextTagged(ws, tag) {
  for (;;) {
    const m = await ws.next();
    if (!m.isBinary && m.data.startsWith(tag)) return m.data;
  }
}

async function testEcho(WebSocket, base) {
  const ws = await open(WebSocket, base + '/ws/echo', {maxPayload: 0});
  check('no extension negotiated with perMessageDeflate: false',
        ws.extensions === '', JSON.stringify(ws.extensions));
  for (const size of [0, 1, 125, 126, 65535, 65536, 300000, (1 << 20) - 1]) {
    // `size` bytes of UTF-8, multi-byte characters mixed in.
    const k = Math.floor(size / 4);
    const text = 'é'.repeat(k) + 'a'.repeat(size - 2 * k);
    ws.send(text);
    let m = await ws.next();
    check('echo text ' + size + ' bytes', !m.isBinary && m.data === text,
          'got ' + (m.isBinary ? 'binary' : 'text') + ' of ' + m.data.length);
    const data = crypto.randomBytes(size);
    ws.send(data, {binary: true});
    m = await ws.next();
    check('echo binary ' + size + ' bytes', m.isBinary && data.equals(m.data),
          'got ' + (m.isBinary ? 'binary' : 'text') + ' of ' + m.data.length);
  }
  // A message sent in fragments.
  ws.send('frag-', {fin: false});
  ws.send('mented', {fin: true});
  const m = await ws.next();
  check('fragmented message reassembled', m.data === 'frag-mented',
        JSON.stringify(m.data));

  const pong = withTimeout(new Promise((r) => ws.once('pong', r)),
                           TIMEOUT_MS, 'pong');
  ws.ping(Buffer.from('hello'));
  const payload = await pong.catch(() => null);
  check('ping answered with pong carrying the same payload',
        payload !== null && payload.toString() === 'hello',
        String(payload));

  ws.close(1000, 'done');
  const closed = await withTimeout(ws.closed, TIMEOUT_MS, 'close');
  check('clean close: close event code 1000', closed.code === 1000,
        JSON.stringify(closed));
}

async function testCompressionOffer(WebSocket, base) {
  // The client offers permessage-deflate; gale (compression: false by
  // default) must not accept it, and everything works uncompressed.
  const ws = await open(WebSocket, base + '/ws/echo',
                        {perMessageDeflate: true});
  check('offered permessage-deflate is declined (compression off)',
        ws.extensions === '', JSON.stringify(ws.extensions));
  ws.send('x'.repeat(5000));
  const m = await ws.next();
  check('echo works after declining the extension',
        m.data === 'x'.repeat(5000));
  ws.close(1000);
  const closed = await withTimeout(ws.closed, TIMEOUT_MS, 'close');
  check('close 1000 after declined extension', closed.code === 1000,
        JSON.stringify(closed));
}

async function testChat(WebSocket, base) {
  const tag = 'node' + process.pid + ' ';
  const clients = [];
  for (let i = 0; i < 4; i++) clients.push(await open(WebSocket, base + '/ws/chat'));
  await sleep(200);  // every client subscribed on its worker
  clients[1].send(tag + 'hello');
  for (let i = 0; i < clients.length; i++) {
    const got = await nextTagged(clients[i], tag);
    check('chat: client ' + i + (i === 1 ? ' (sender)' : '') +
          ' receives the broadcast', got === tag + 'hello', got);
  }
  const perSender = 25;
  for (let n = 0; n < perSender; n++) {
    clients[0].send(tag + 'a' + n);
    clients[3].send(tag + 'b' + n);
  }
  const seen = await Promise.all(clients.map(async (ws) => {
    const got = [];
    while (got.length < 2 * perSender) got.push(await nextTagged(ws, tag));
    return got;
  }));
  check('chat: every client gets all ' + 2 * perSender + ' messages',
        seen.every((s) => s.length === 2 * perSender));
  check('chat: one order for all clients',
        seen.every((s) => JSON.stringify(s) === JSON.stringify(seen[0])),
        JSON.stringify(seen.map((s) => s.slice(0, 4))));
  for (const ws of clients) ws.close(1000);
  const closes = await withTimeout(Promise.all(clients.map((ws) => ws.closed)),
                                   TIMEOUT_MS, 'chat close');
  check('chat: every client closes with 1000',
        closes.every((c) => c.code === 1000), JSON.stringify(closes));
}

async function main() {
  const binary = process.argv[2] || process.env.GALE_BINARY;
  if (!binary) {
    console.log('usage: node_client_test.js GALE_BINARY');
    return 2;
  }
  const WebSocket = loadWs();
  if (!WebSocket) {
    console.log('SKIP: node-ws is not installed');
    return SKIP;
  }
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gale-node-'));
  let server = null;
  try {
    server = await startGale(path.resolve(binary), workdir);
    const base = 'ws://127.0.0.1:' + server.port;
    for (const [name, test] of [['echo', testEcho],
                                ['compression offer', testCompressionOffer],
                                ['chat', testChat]]) {
      try {
        await withTimeout(test(WebSocket, base), 60000, name);
      } catch (e) {
        console.log(e && e.stack ? e.stack : String(e));
        check(name + ': the run completed', false);
      }
    }
    check('gale still running', !server.exited());
  } catch (e) {
    console.log(e && e.stack ? e.stack : String(e));
    check('the run completed', false);
  } finally {
    await stopGale(server);
    fs.rmSync(workdir, {recursive: true, force: true});
  }
  console.log(passed + ' passed, ' + failed + ' failed');
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.log(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
