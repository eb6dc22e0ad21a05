import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AddressInfo, connect } from 'node:net';

export type RawResponse = { status: number; headers: Record<string, string>; body: string };

/** The port of an app that listens on loopback (tests start it with `app.listen(0, '127.0.0.1')`). */
export const portOf = (app: NestFastifyApplication): number => (app.getHttpServer().address() as AddressInfo).port;

/**
 * Sends bytes as they are (no client fixes them up) and reads one response until the server closes
 * the connection: for requests Node's HTTP parser refuses, which fastify's inject never sees.
 */
export function rawHttp(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}
