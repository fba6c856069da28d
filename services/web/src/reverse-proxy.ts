import {
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1): never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // Set by this proxy from what it saw, never taken from the client.
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'forwarded',
]);

/** A refusal in the services' error body format (`libs/protocol` `ErrorBody`). */
function refuse(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: OutgoingHttpHeaders,
) {
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    })
    .end(JSON.stringify({ code, message }));
}

/**
 * A request path the proxy may forward: no dot segments, no encoded slash or dot, no backslash, so
 * `/api/auth/../rooms/…` cannot reach another service than the prefix says.
 */
export function isCleanPath(path: string): boolean {
  return !/(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\/i.test(path);
}

/**
 * Forwards one request to `upstream` (an http(s) origin), with X-Forwarded-For/-Proto/-Host set from this
 * connection, and answers with the upstream's reply plus `securityHeaders` (they override the upstream's).
 * An https upstream is verified against `ca` when given (the appliance root), else the system store. An
 * unreachable or unverifiable upstream gives 502 `service_unavailable`.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: URL,
  securityHeaders: OutgoingHttpHeaders,
  ca?: Buffer,
): void {
  const path = req.url ?? '/';
  if (!isCleanPath(path.split('?')[0]!)) {
    refuse(res, 400, 'bad_request', 'the path is not valid', securityHeaders);
    return;
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  }
  headers.host = upstream.host;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-forwarded-proto'] = 'https';
  if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host;
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const out = send(
    {
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path,
      headers,
      timeout: 30_000,
      ...(ca !== undefined && upstream.protocol === 'https:' ? { ca } : {}),
    },
    (reply) => {
      const replyHeaders: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(reply.headers)) {
        if (!HOP_BY_HOP.has(name) && name !== 'x-powered-by' && value !== undefined)
          replyHeaders[name] = value;
      }
      res.writeHead(reply.statusCode ?? 502, { ...replyHeaders, ...securityHeaders });
      // An event stream (room control's participant stream) is passed on event by event, never held back.
      if (String(reply.headers['content-type']).startsWith('text/event-stream')) {
        res.flushHeaders();
        reply.socket.setNoDelay(true);
      }
      reply.pipe(res);
    },
  );
  // A client that goes away (a closed tab, an aborted stream) closes the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) out.destroy();
  });
  out.on('timeout', () => out.destroy(new Error('upstream timeout')));
  out.on('error', () => {
    if (!res.headersSent)
      refuse(res, 502, 'service_unavailable', 'the service did not answer', securityHeaders);
    else res.destroy();
  });
  req.pipe(out);
}

/**
 * Forwards a WebSocket upgrade (the SFU signalling) to `upstream` over TLS, trusting `ca` when given (the
 * embedded SFU's own certificate), then relays bytes both ways. A refusal by the upstream is passed on with its
 * status; an unreachable upstream closes the connection.
 */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  upstream: URL,
  ca: Buffer | undefined,
): void {
  const path = req.url ?? '/';
  if (!isCleanPath(path.split('?')[0]!)) {
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  }
  headers.host = upstream.host;
  headers.connection = 'Upgrade';
  headers.upgrade = 'websocket';
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-forwarded-proto'] = 'https';
  const out = httpsRequest({
    hostname: upstream.hostname,
    port: upstream.port,
    method: 'GET',
    path,
    headers,
    timeout: 30_000,
    ...(ca !== undefined ? { ca } : {}),
  });
  const fail = () => socket.destroy();
  socket.on('error', () => out.destroy());
  out.on('timeout', () => out.destroy(new Error('upstream timeout')));
  out.on('error', fail);
  out.on('response', (reply) => {
    socket.end(
      `HTTP/1.1 ${reply.statusCode ?? 502} ${reply.statusMessage ?? ''}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
    );
    reply.resume();
  });
  out.on('upgrade', (reply, upstreamSocket, upstreamHead) => {
    out.setTimeout(0);
    const lines = [`HTTP/1.1 101 ${reply.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < reply.rawHeaders.length; i += 2)
      lines.push(`${reply.rawHeaders[i]}: ${reply.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    upstreamSocket.on('error', fail);
    socket.on('close', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => socket.destroy());
    upstreamSocket.pipe(socket);
    socket.pipe(upstreamSocket);
  });
  out.end();
}
