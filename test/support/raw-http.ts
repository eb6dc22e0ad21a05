import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect, Socket } from 'node:net';

/** Listens on a free loopback port and returns it; for what only a real socket shows. */
export async function listening(app: NestFastifyApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || address === null) throw new Error('the app is not listening');
  return address.port;
}

/** A socket to the app, with everything it received and whether (and when) the server closed it. */
export type RawConnection = { socket: Socket; received(): string; closed: Promise<void> };

export async function rawConnection(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, received: () => text, closed };
}

/** Sends raw request bytes (absolute-form targets, bytes no client would send) and returns the raw response. */
export async function rawRequest(port: number, request: string): Promise<{ status: number; text: string }> {
  const connection = await rawConnection(port);
  connection.socket.end(request);
  await connection.closed;
  const text = connection.received();
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text };
}

/** Resolves true if `closed` settles within `ms`, false otherwise; the bound is generous, never a measurement. */
export async function settlesWithin(closed: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return outcome;
}

/**
 * Every route the app serves, as `[method, path]`, read from fastify's own route tree, so a route added
 * later is walked too (HEAD included: fastify answers it with the GET handler).
 */
export function servedRoutes(app: NestFastifyApplication): [string, string][] {
  const tree = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const parents: string[] = [];
  const routes: [string, string][] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│├└─ ]*?)(\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    const path = (parents[depth - 1] ?? '') + match[2];
    parents[depth] = path;
    for (const method of match[3].split(', ')) routes.push([method, path]);
  }
  return routes;
}
