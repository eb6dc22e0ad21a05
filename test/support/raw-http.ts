import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect, Socket } from 'node:net';

/** The loopback port of an app that listens. */
export function portOf(app: NestFastifyApplication): number {
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || address === null) throw new Error('the app is not listening');
  return address.port;
}

/** Listens on a free loopback port and returns it; for what only a real socket shows. */
export async function listening(app: NestFastifyApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  return portOf(app);
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

export type RawResponse = { status: number; headers: Record<string, string>; body: string; text: string };

/**
 * Sends bytes as they are (absolute-form targets, requests Node's HTTP parser refuses: what no client
 * would send and fastify's inject never sees) and reads one response until the server closes the connection.
 */
export async function rawRequest(port: number, request: string): Promise<RawResponse> {
  const connection = await rawConnection(port);
  connection.socket.end(request);
  await connection.closed;
  const text = Buffer.from(connection.received(), 'latin1').toString('utf8');
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: rest.join('\r\n\r\n'), text };
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
