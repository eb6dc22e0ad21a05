import { Socket, connect } from 'node:net';
import { headPosition } from '../support/builders';
import { listening } from '../support/raw-http';
import { TestApp, startTestApp } from '../support/test-app';

type Answer = { status: number; contentType?: string; problemStatus?: number };

/**
 * One kept-alive connection driven by hand, as a client that streams its body with backpressure
 * does: a socket error (EPIPE, ECONNRESET) fails the next read.
 */
class KeptAliveConnection {
  private buffer = Buffer.alloc(0);
  private failure?: Error;
  private wake?: () => void;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    socket.on('error', (error) => {
      this.failure = error;
      this.wake?.();
    });
    socket.on('close', () => {
      this.failure ??= new Error('closed by the server');
      this.wake?.();
    });
  }

  static open(port: number): Promise<KeptAliveConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new KeptAliveConnection(socket)));
      socket.once('error', reject);
    });
  }

  async get(path: string): Promise<Answer> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: timeline\r\n\r\n`);
    return this.answer();
  }

  async post(path: string, body: Buffer): Promise<Answer> {
    this.socket.write(`POST ${path} HTTP/1.1\r\nHost: timeline\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    for (let offset = 0; offset < body.length && !this.failure; offset += 64 * 1024) {
      if (!this.socket.write(body.subarray(offset, offset + 64 * 1024))) {
        await new Promise<void>((resolve) => {
          this.socket.once('drain', resolve);
          this.socket.once('close', resolve);
        });
      }
    }
    return this.answer();
  }

  close(): void {
    this.socket.destroy();
  }

  /** Streams a chunked body until the server closes the connection; how many bytes were sent by then. */
  async postChunkedUntilClosed(path: string, limit: number): Promise<number> {
    this.socket.write(`POST ${path} HTTP/1.1\r\nHost: timeline\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 'x'), Buffer.from('\r\n')]);
    let sent = 0;
    while (!this.failure && sent < limit) {
      sent += 0x10000;
      if (!this.socket.write(chunk)) {
        await new Promise<void>((resolve) => {
          this.socket.once('drain', resolve);
          this.socket.once('close', resolve);
        });
      }
    }
    return sent;
  }

  /** The next whole response (every answer here has a Content-Length). */
  private async answer(): Promise<Answer> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
        const header = (name: string) => head.find((line) => line.toLowerCase().startsWith(`${name}:`))?.split(':')[1].trim();
        const length = Number(header('content-length'));
        if (this.buffer.length >= end + 4 + length) {
          const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
          this.buffer = this.buffer.subarray(end + 4 + length);
          const contentType = header('content-type');
          const problemStatus = contentType?.startsWith('application/problem+json') ? JSON.parse(body).status : undefined;
          return { status: Number(head[0].split(' ')[1]), contentType, problemStatus };
        }
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

describe('a body over the limit on a kept-alive connection', () => {
  let app: TestApp;
  let port: number;

  beforeAll(async () => {
    app = await startTestApp();
    port = await listening(app.app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers every 5 MB POST after a keep-alive request with the 413 problem, never a reset, and keeps the connection (20 tries)', async () => {
    const fiveMegabytes = Buffer.from(JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024), kind: 'media' }));
    const outcomes: unknown[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const connection = await KeptAliveConnection.open(port);
      try {
        const before = await connection.get('/v1/sources');
        const refused = await connection.post('/v1/sources', fiveMegabytes);
        const after = await connection.get('/v1/sources');
        outcomes.push([before.status, refused, after.status]);
      } catch (error) {
        outcomes.push((error as NodeJS.ErrnoException).code ?? String(error));
      } finally {
        connection.close();
      }
    }

    const problem413 = { status: 413, contentType: expect.stringMatching(/^application\/problem\+json/), problemStatus: 413 };
    expect(outcomes).toEqual(Array(20).fill([200, problem413, 200]));
    expect(await headPosition(app)).toBe(0);
  });

  it('closes the connection once a refused body goes on past the 16 MiB it reads', async () => {
    const connection = await KeptAliveConnection.open(port);
    try {
      const sent = await connection.postChunkedUntilClosed('/v1/sources', 256 * 1024 * 1024);
      expect(sent).toBeLessThan(256 * 1024 * 1024);
      expect(sent).toBeGreaterThan(16 * 1024 * 1024);
    } finally {
      connection.close();
    }
  });
});
