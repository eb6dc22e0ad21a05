import type { FastifyServerOptions } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { sendProblem } from './problem-details.filter';
import { problemFor } from './problem';

/** The longest path parameter routed (ids are at most 120 characters); a longer one is a 414 problem. */
export const MAX_PATH_PARAM_LENGTH = 200;

/** What Node's HTTP parser found wrong before fastify saw a request, as a status. */
function clientErrorStatus(error: Error & { code?: string }): number {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_HEADERS_TIMEOUT') return 408;
  return 400;
}

/** Whether the refused bytes are a HEAD request, whose answer must carry no body (the client would read it as garbage). */
const isHead = (rawPacket: unknown) => Buffer.isBuffer(rawPacket) && rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';

/** Unparsable HTTP (bad Content-Length, oversized headers, timeouts): a problem, written on the socket, then closed. */
function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = clientErrorStatus(error);
  const reason = STATUS_CODES[status]!;
  const body = JSON.stringify(problemFor(Object.assign(new Error(`the request could not be read: ${reason}`), { statusCode: status })));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${isHead(error.rawPacket) ? '' : body}`,
    );
  }
  socket.destroy();
}

/**
 * fastify options that send its own errors, which never reach Nest's filter, through the one error
 * mapper: malformed percent-encoding in a path (400), a path parameter too long (414), and requests
 * Node cannot parse (400, 408, 431).
 */
export const FASTIFY_PROBLEM_OPTIONS = {
  frameworkErrors: (error, _request, reply) => sendProblem(reply, error),
  clientErrorHandler: answerClientError,
  routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
} satisfies FastifyServerOptions;
