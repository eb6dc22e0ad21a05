import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { Agent, ClientRequest, IncomingHttpHeaders, IncomingMessage, get, request } from 'node:http';
import { LiveEventStreams } from '../../src/http/sse/live-event-streams';
import { aClaim, aDevelopment, aSource } from '../support/builders';
import { startTestApp, TestApp } from '../support/test-app';
import { listening } from '../support/raw-http';

/**
 * `/v1/events/live` over a real socket (fastify's inject cannot stream): a small SSE client reads
 * what a browser's EventSource would. Every wait has a timeout.
 */

type SseMessage = { id: string; event: string; data: string };

/** Parses an event stream as the SSE spec does (fields `id`, `event`, `data`, `retry`; `:` comments). */
class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  retry?: number;
  /** The first bytes of the body, as sent. */
  head = '';
  ended = false;
  private buffer = '';
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    private readonly response: IncomingMessage,
    private readonly req: ClientRequest,
  ) {
    response.on('error', () => undefined);
    response.on('close', () => this.end());
    response.on('end', () => this.end());
  }

  /** Opens a stream; `paused`: a client that reads nothing until {@link resume}; `localAddress`: another client address. */
  static open(port: number, path: string, headers: Record<string, string> = {}, options: { paused?: boolean; localAddress?: string } = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const { localAddress } = options;
      const req = get({ host: '127.0.0.1', port, path, localAddress, agent: false, headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        const client = new SseClient(response.statusCode ?? 0, response.headers, response, req);
        if (options.paused) response.pause();
        else client.resume();
        resolve(client);
      });
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error(`no response to ${path}`)));
    });
  }

  get ids(): number[] {
    return this.messages.map((message) => Number(message.id));
  }

  get lastId(): number | undefined {
    return this.ids.at(-1);
  }

  resume(): void {
    this.response.setEncoding('utf8');
    this.response.on('data', (chunk: string) => {
      if (this.head.length < 200) this.head += chunk.slice(0, 200 - this.head.length);
      this.buffer += chunk;
      this.parse();
      this.notify();
    });
    this.response.resume();
  }

  /** Resolves once `done` holds; rejects after `timeoutMs`, saying what it waited for. */
  until(done: (client: SseClient) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (done(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done(this)) return;
        finish();
        resolve();
      };
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${what} (last id ${this.lastId}, ended ${this.ended})`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  untilId(id: number, timeoutMs?: number): Promise<void> {
    return this.until((client) => (client.lastId ?? 0) >= id, `id ${id}`, timeoutMs);
  }

  close(): void {
    this.req.destroy();
  }

  private end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private parse(): void {
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: Partial<SseMessage> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'retry') this.retry = Number(value);
        else if (field === 'data') message.data = message.data === undefined ? value : `${message.data}\n${value}`;
        else if (field === 'id' || field === 'event') message[field] = value;
      }
      if (message.data !== undefined) this.messages.push(message as SseMessage);
    }
  }
}

/** Polls a condition until it holds; rejects after `timeoutMs`. */
async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A JSON POST over a real connection, as another service would write. */
function postJson(port: number, path: string, body: unknown, agent: Agent): Promise<{ status: number; body: any }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to POST ${path}`)));
    req.end(payload);
  });
}

/** The log as `/v1/events` serves it, every page. */
async function logItems(t: TestApp, query = ''): Promise<any[]> {
  const items: any[] = [];
  for (let after = 0; ; ) {
    const page = await t.get(`/v1/events?after=${after}&limit=1000${query}`);
    expect(page.status).toBe(200);
    // A page is bounded in bytes too, so only an empty page is the end of the log.
    if (page.body.items.length === 0) return items;
    items.push(...page.body.items);
    after = page.body.last;
  }
}

/** What a client saw, in the shape of `/v1/events` items. */
const asItems = (client: SseClient) => client.messages.map((m) => ({ id: m.id, event: m.event, data: JSON.parse(m.data) }));
const expectedItems = (items: any[]) => items.map((item) => ({ id: String(item.position), event: item.type, data: item }));

describe('GET /v1/events/live (Server-Sent Events)', () => {
  let t: TestApp;
  let port: number;
  let streams: LiveEventStreams;
  const clients: SseClient[] = [];
  const open = async (path: string, headers?: Record<string, string>) => {
    const client = await SseClient.open(port, path, headers);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { TIMELINE_SSE_HEARTBEAT_MS: '200' } });
    port = await listening(t.app);
    streams = t.app.get(LiveEventStreams);
    expect((await t.post('/v1/sources', aSource())).status).toBe(201);
    expect((await t.post('/v1/sources', aSource({ id: 'coast-guard', name: 'Coast Guard', kind: 'official' }))).status).toBe(201);
    expect((await t.post('/v1/developments', aDevelopment())).status).toBe(201);
    expect((await t.post('/v1/developments/vestby-oil-spill/claims', aClaim({ sourceId: 'coast-guard', stance: 'confirms' }))).status).toBe(201);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    // No subscription outlives its connection.
    await eventually(() => streams.open === 0, 'every stream is closed');
  });

  afterAll(async () => {
    await t.close();
  });

  it('sends the log from the start, then live events, each as id: position, event: type and data: the /v1/events item', async () => {
    const before = await logItems(t);
    const client = await open('/v1/events/live');
    expect(client.status).toBe(200);
    await client.untilId(before.at(-1).position);
    expect(asItems(client)).toEqual(expectedItems(before));

    const written = await t.post('/v1/developments/vestby-oil-spill/claims', aClaim({ sourceId: 'coast-guard', stance: 'asserts', reportedAt: '2025-03-06' }));
    expect(written.status).toBe(201);
    await client.untilId(written.body.position);
    expect(asItems(client)).toEqual(expectedItems(await logItems(t)));
  });

  it("sends each event's data as its RFC 8785 canonical JSON, the very bytes of its Merkle leaf", async () => {
    const before = await logItems(t);
    const client = await open('/v1/events/live');
    await client.untilId(before.at(-1).position);

    for (const message of client.messages) {
      expect(message.data).toBe(canonicalize(JSON.parse(message.data)));
      const proof = await t.get(`/v1/audit/inclusion?position=${message.id}`);
      expect(proof.status).toBe(200);
      expect(createHash('sha256').update(Buffer.from([0])).update(message.data).digest('hex')).toBe(proof.body.leafHash);
    }
  });

  it('resumes after Last-Event-ID, which wins over after, so a reconnecting EventSource gets no duplicate', async () => {
    const all = (await logItems(t)).map((item) => item.position);
    const head = all.at(-1);
    const first = await open('/v1/events/live?after=0');
    await first.untilId(all[1]);
    first.close();
    const seen = first.ids.slice(0, 2); // the client went away after the second event

    const resumed = await open('/v1/events/live?after=0', { 'Last-Event-ID': String(seen.at(-1)) });
    await resumed.untilId(head);
    expect([...seen, ...resumed.ids]).toEqual(all);
  });

  it('starts after the after parameter when no Last-Event-ID is sent', async () => {
    const all = (await logItems(t)).map((item) => item.position);
    const client = await open(`/v1/events/live?after=${all[2]}`);
    await client.untilId(all.at(-1));
    expect(client.ids).toEqual(all.slice(3));
  });

  it('hands over from catch-up to live with no gap and no duplicate while three writers append concurrently', async () => {
    const start = (await logItems(t)).at(-1).position;
    const agent = new Agent({ keepAlive: true, maxSockets: 3 });
    const positions: number[] = [];
    const writer = async (w: number) => {
      for (let i = 0; i < 210; i++) {
        const result = await postJson(port, '/v1/sources', { id: `wire-${w}-${i}`, name: `Wire ${w}.${i}`, kind: 'media' }, agent);
        if (result.status !== 201) throw new Error(`writer ${w}: ${result.status} ${JSON.stringify(result.body)}`);
        positions.push(result.body.position);
      }
    };
    const writing = Promise.all([0, 1, 2].map(writer));
    // Subscribers join at different moments: at the start, mid-way, and late enough that their
    // catch-up spans more than one read batch (500) while the writers are still appending.
    const subscribers = [await open(`/v1/events/live?after=${start}`)];
    await eventually(() => positions.length >= 200, '200 writes');
    subscribers.push(await open(`/v1/events/live?after=${start}`));
    await eventually(() => positions.length >= 510, '510 writes');
    const resumeAt = Math.min(...positions.slice(0, 100));
    subscribers.push(await open('/v1/events/live'), await open('/v1/events/live', { 'Last-Event-ID': String(resumeAt) }));
    expect(positions.length).toBeLessThan(630); // they joined while the writers were still at it
    await writing;
    agent.destroy();

    const all = (await logItems(t)).map((item) => item.position);
    expect(all.filter((position) => position > start)).toEqual([...positions].sort((a, b) => a - b));
    for (const subscriber of subscribers) await subscriber.untilId(all.at(-1));
    const [fromStart, midWay, fromZero, fromHeader] = subscribers.map((subscriber) => subscriber.ids);
    expect(fromStart).toEqual(all.filter((position) => position > start));
    expect(midWay).toEqual(all.filter((position) => position > start));
    expect(fromZero).toEqual(all);
    expect(fromHeader).toEqual(all.filter((position) => position > resumeAt));
  });

  it('filters by types and by streamPrefix as /v1/events does, live too', async () => {
    const byType = await open('/v1/events/live?types=DevelopmentRecorded,ClaimReported');
    const byStream = await open('/v1/events/live?streamPrefix=development-');
    const typed = await logItems(t, '&types=DevelopmentRecorded,ClaimReported');
    const streamed = await logItems(t, '&streamPrefix=development-');
    await byType.untilId(typed.at(-1).position);
    await byStream.untilId(streamed.at(-1).position);
    expect(asItems(byType)).toEqual(expectedItems(typed));
    expect(asItems(byStream)).toEqual(expectedItems(streamed));

    // Live: a source registration matches neither; a claim matches both.
    expect((await t.post('/v1/sources', aSource({ id: 'late-source', name: 'Late' }))).status).toBe(201);
    const claim = await t.post('/v1/developments/vestby-oil-spill/claims', aClaim({ reportedAt: '2025-03-07' }));
    await byType.untilId(claim.body.position);
    await byStream.untilId(claim.body.position);
    expect(byType.ids.at(-2)).toBe(typed.at(-1).position);
    expect(byStream.ids.at(-2)).toBe(streamed.at(-1).position);
    expect(byType.messages.at(-1)?.event).toBe('ClaimReported');
  });

  it('sends the stream headers and a retry hint first, then keep-alive comments while idle', async () => {
    const head = (await logItems(t)).at(-1).position;
    const client = await open(`/v1/events/live?after=${head}`);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(client.headers['cache-control']).toBe('no-cache');
    expect(client.headers['x-accel-buffering']).toBe('no');
    await client.until((c) => c.comments.filter((comment) => comment === 'keep-alive').length >= 2, 'two keep-alive comments', 5000);
    expect(client.head).toMatch(/^retry: \d+\n\n/);
    expect(client.retry).toBeGreaterThan(0);
    expect(client.messages).toEqual([]);
  });

  it('refuses bad parameters with 400 problem+json before the stream starts', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['/v1/events/live?after=-1', {}, 'after'],
      ['/v1/events/live?after=abc', {}, 'after'],
      ['/v1/events/live?after=9999999999999999999', {}, 'after'],
      ['/v1/events/live?types=Claim%20Reported', {}, 'types'],
      ['/v1/events/live?streamPrefix=', {}, 'streamPrefix'],
      ['/v1/events/live?limit=10', {}, 'limit'],
      ['/v1/events/live', { 'last-event-id': 'abc' }, 'Last-Event-ID'],
      ['/v1/events/live', { 'last-event-id': '-3' }, 'Last-Event-ID'],
      ['/v1/events/live?after=2', { 'last-event-id': '99999999999999999999' }, 'Last-Event-ID'],
    ];
    for (const [url, headers, field] of cases) {
      const response = await t.get(url, headers);
      expect({ url, status: response.status }).toEqual({ url, status: 400 });
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    expect(streams.open).toBe(0);
  });

  it('closes the subscription of every client that disconnects', async () => {
    const some = await Promise.all([open('/v1/events/live'), open('/v1/events/live?types=SourceRegistered'), open('/v1/events/live?after=1')]);
    await eventually(() => streams.open === 3, 'three streams are open');
    for (const client of some) client.close();
    await eventually(() => streams.open === 0, 'every stream is closed');
  });
});

describe('GET /v1/events/live with a client that stops reading', () => {
  let t: TestApp;
  let port: number;
  let streams: LiveEventStreams;

  beforeAll(async () => {
    t = await startTestApp({ env: { TIMELINE_SSE_HEARTBEAT_MS: '500' } });
    port = await listening(t.app);
    streams = t.app.get(LiveEventStreams);
    expect((await t.post('/v1/sources', aSource())).status).toBe(201);
  });

  afterAll(async () => {
    await t.close();
  });

  it('drops it without slowing writers or other clients, and it resumes from its last id with no duplicate', async () => {
    const stalled = await SseClient.open(port, '/v1/events/live', {}, { paused: true });
    const reader = await SseClient.open(port, '/v1/events/live');
    await eventually(() => streams.open === 2, 'both streams are open');

    // Writers append ~40 KB events until the stalled connection is dropped (megabytes, since the
    // kernel's socket buffers take a few before the server sees the client is not reading).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const durations: number[] = [];
    let buffered = 0;
    let bytes = 0;
    let last = 0;
    const deadline = Date.now() + 15_000;
    for (let i = 0; streams.dropped === 0 && Date.now() < deadline && i < 1000; i++) {
      const body = aDevelopment({
        id: `flood-${i}`,
        summary: `${i} `.padEnd(20_000, 'oil '),
        actors: Array.from({ length: 100 }, (_, a) => `vessel ${a} `.padEnd(200, 'x')),
      });
      const started = Date.now();
      const written = await postJson(port, '/v1/developments', body, agent);
      durations.push(Date.now() - started);
      expect(written.status).toBe(201);
      last = written.body.position;
      bytes += JSON.stringify(body).length;
      buffered = Math.max(buffered, streams.buffered);
    }
    agent.destroy();

    expect(streams.dropped).toBe(1);
    expect(streams.open).toBe(1);
    expect(bytes).toBeGreaterThan(1024 * 1024);
    expect(Math.max(...durations)).toBeLessThan(2000);
    // The server holds at most 64 KiB plus about one event (~43 KB as SSE) per connection.
    expect(buffered).toBeLessThan(2 * (64 * 1024 + 50_000));

    const all = (await logItems(t)).map((item) => item.position);
    expect(all.at(-1)).toBe(last);
    await reader.untilId(last);
    expect(reader.ids).toEqual(all);
    reader.close();

    // Reading now, the dropped client finds its stream cut off mid-way; it reconnects from its last id.
    stalled.resume();
    await stalled.until((client) => client.ended, 'the dropped stream to end');
    const seen = stalled.ids;
    expect(seen.length).toBeLessThan(all.length);
    const resumed = await SseClient.open(port, '/v1/events/live', { 'Last-Event-ID': String(seen.at(-1) ?? 0) });
    await resumed.untilId(last);
    expect([...seen, ...resumed.ids]).toEqual(all);
    resumed.close();
    await eventually(() => streams.open === 0, 'every stream is closed');
  });
});

describe('GET /v1/events/live when the server stops', () => {
  it('ends open streams, a stalled one included, so closing the app does not wait for clients', async () => {
    const t = await startTestApp({ env: { TIMELINE_SSE_HEARTBEAT_MS: '200' } });
    const port = await listening(t.app);
    expect((await t.post('/v1/sources', aSource())).status).toBe(201);
    const reader = await SseClient.open(port, '/v1/events/live');
    const stalled = await SseClient.open(port, '/v1/events/live', {}, { paused: true });
    await reader.untilId(1);
    await eventually(() => t.app.get(LiveEventStreams).open === 2, 'both streams are open');

    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await reader.until((client) => client.ended, 'the stream to end', 3000);
    stalled.close();
  });
});

describe('GET /v1/events/live with API keys', () => {
  it('needs a key (401 problem+json without) and serves a reader', async () => {
    const t = await startTestApp({ env: { TIMELINE_API_KEYS: 'reader-key-0123456789:reader' } });
    try {
      const port = await listening(t.app);
      const refused = await t.get('/v1/events/live');
      expect(refused.status).toBe(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      const client = await SseClient.open(port, '/v1/events/live', { authorization: 'Bearer reader-key-0123456789' });
      expect(client.status).toBe(200);
      await client.until((c) => c.retry !== undefined, 'the retry hint', 3000);
      client.close();
    } finally {
      await t.close();
    }
  });
});

describe('GET /v1/events/live past the stream caps', () => {
  const READER_A = 'reader-a-key-0123456789:reader';
  const READER_B = 'reader-b-key-0123456789:reader';
  const bearer = (entry: string) => ({ authorization: `Bearer ${entry.split(':')[0]}` });

  const expectRefused = (response: { status: number; headers: Record<string, unknown>; body: any }, status: number, slug: string) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(response.body).toMatchObject({ status, type: `https://timeline.dev/problems/${slug}` });
  };

  it('answers 429 with Retry-After to a key past its own cap and 503 past the overall cap, and frees a slot when a stream ends', async () => {
    const t = await startTestApp({
      env: { TIMELINE_API_KEYS: `${READER_A},${READER_B}`, TIMELINE_SSE_MAX_STREAMS_PER_CLIENT: '2', TIMELINE_SSE_MAX_STREAMS: '3' },
    });
    const clients: SseClient[] = [];
    try {
      const port = await listening(t.app);
      const streams = t.app.get(LiveEventStreams);
      for (let i = 0; i < 2; i++) clients.push(await SseClient.open(port, '/v1/events/live', bearer(READER_A)));
      expect(clients.map((client) => client.status)).toEqual([200, 200]);
      expectRefused(await t.get('/v1/events/live', bearer(READER_A)), 429, 'too-many-live-streams');

      // Another key has its own allowance, up to the server's.
      clients.push(await SseClient.open(port, '/v1/events/live', bearer(READER_B)));
      expect(clients[2].status).toBe(200);
      expectRefused(await t.get('/v1/events/live', bearer(READER_B)), 503, 'live-streams-full');
      expect(streams.open).toBe(3);

      clients.shift()!.close();
      await eventually(() => streams.open === 2, 'the closed stream to free its slot');
      clients.push(await SseClient.open(port, '/v1/events/live', bearer(READER_A)));
      expect(clients.at(-1)!.status).toBe(200);
    } finally {
      for (const client of clients) client.close();
      await t.close();
    }
  });

  it('counts streams per client address when no keys are configured', async () => {
    const t = await startTestApp({ env: { TIMELINE_SSE_MAX_STREAMS_PER_CLIENT: '1' } });
    const clients: SseClient[] = [];
    try {
      const port = await listening(t.app);
      clients.push(await SseClient.open(port, '/v1/events/live'));
      expect(clients[0].status).toBe(200);
      expectRefused(await t.get('/v1/events/live'), 429, 'too-many-live-streams');
      // Another loopback address is another client.
      clients.push(await SseClient.open(port, '/v1/events/live', {}, { localAddress: '127.0.0.2' }));
      expect(clients[1].status).toBe(200);
    } finally {
      for (const client of clients) client.close();
      await t.close();
    }
  });
});
