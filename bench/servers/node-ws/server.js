// Node.js peer of gale's WebSocket benchmarks (bench/websocket/): Debian's
// node-ws (/usr/share/nodejs/ws), one process, permessage-deflate off.
//   GET /          Hello, world (readiness check)
//   GET /ws/echo   echoes every text/binary message
//   GET /ws/chat   every text message goes to every connected client, the
//                  sender included (binary -> close 1003); the broadcast
//                  loop is the one of ws's README.
// Listens on 127.0.0.1 with a backlog of 1024, like gale. Stopped by SIGTERM.
// Usage: node server.js PORT
'use strict';
const http = require('http');
const WebSocket = require('/usr/share/nodejs/ws');

const port = parseInt(process.argv[2], 10);
const server = http.createServer((req, res) => {
  if (req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Hello, world');
  } else {
    res.writeHead(404);
    res.end();
  }
});

const echo = new WebSocket.Server({ noServer: true, perMessageDeflate: false });
const chat = new WebSocket.Server({ noServer: true, perMessageDeflate: false });

echo.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});

chat.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003);
      return;
    }
    chat.clients.forEach((client) => {
      if (client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: false });
      }
    });
  });
});

server.on('upgrade', (req, socket, head) => {
  const wss = req.url === '/ws/echo' ? echo : req.url === '/ws/chat' ? chat : null;
  if (!wss) {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

process.on('SIGTERM', () => process.exit(0));
server.listen(port, '127.0.0.1', 1024);
