import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** How much of a refused request's unread body is read and thrown away; beyond it the connection closes. */
export const REFUSED_BODY_DRAIN_BYTES = 16 * 1024 * 1024;

function drain(raw: IncomingMessage): void {
  let drained = 0;
  raw.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > REFUSED_BODY_DRAIN_BYTES) raw.socket.destroy();
  });
  raw.resume();
}

/**
 * A request answered before its body was read (413, 415, 404) would otherwise have its connection
 * closed while the client is still sending: the client then gets EPIPE or a reset instead of the
 * answer. Read and discard the rest (up to {@link REFUSED_BODY_DRAIN_BYTES}) and keep the connection.
 */
export function drainRefusedBodies(instance: FastifyInstance): void {
  instance.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    const declared = Number(raw.headers['content-length'] ?? 0);
    if (raw.complete === false && !raw.readableEnded && declared <= REFUSED_BODY_DRAIN_BYTES) {
      // fastify asks to close after a body it refused; once drained, the connection is clean.
      reply.removeHeader('connection');
      drain(raw);
    }
    done(null, payload);
  });
}
