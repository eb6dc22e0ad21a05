import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AckPolicy, DeliverPolicy, JetStreamManager, NatsConnection } from 'nats';
import { Storage, openStorage } from '../../src/bootstrap/open-storage';
import { EVENT_STORE, EventStore, NewEvent, StoredEvent } from '../../src/event-store/event-store.port';
import { storedEventJson } from '../../src/event-store/stored-event-json';
import { ConfigError, loadConfig } from '../../src/platform/app-config';
import { systemClock } from '../../src/platform/clock';
import { connectNats } from '../../src/relay/nats-connection';
import { NatsRelay, NatsRelayOptions } from '../../src/relay/nats-relay';
import { NatsRelayService } from '../../src/relay/nats-relay.service';
import { RelayCheckpoints } from '../../src/relay/relay-checkpoints';
import { DUPLICATE_WINDOW_MS, POSITION_HEADER } from '../../src/relay/relay-stream';
import { aPostgresSchema, postgresAvailable } from '../support/postgres';
import { startTestApp } from '../support/test-app';
import { eventually } from '../support/eventually';
import { LogConsumers } from '../../src/projections/log-consumers';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const REPO = resolve(__dirname, '../..');

/** Whether NATS answers, decided once when the file loads (jest registers tests synchronously). */
const natsAvailable: boolean = (() => {
  const { hostname, port } = new URL(NATS_URL.replace(/^nats:/, 'http:'));
  const probe = spawnSync(
    process.execPath,
    ['-e', `require('net').connect(${Number(port || 4222)}, ${JSON.stringify(hostname)}).on('connect', () => process.exit(0)).on('error', () => process.exit(1))`],
    { timeout: 5000 },
  );
  return probe.status === 0;
})();

/** `describe`, or a reported skip when NATS is unreachable outside CI (in CI it fails). */
function describeWithNats(name: string, body: () => void): void {
  if (natsAvailable || process.env.CI) return describe(name, body);
  process.stdout.write(`${name}: skipped, NATS is not reachable at ${NATS_URL} (set TEST_NATS_URL)\n`);
  describe.skip(name, body);
}

// Types no projection knows: the app in the first test projects nothing from them.
const TYPES = ['SampleRecorded', 'SampleNoted', 'SampleChecked'] as const;

function anEvent(n: number): NewEvent {
  return {
    eventId: randomUUID(),
    type: TYPES[n % TYPES.length],
    data: { n },
    metadata: { schemaVersion: 1, correlationId: randomUUID(), causationId: randomUUID(), actor: 'relay-test' },
  };
}

/** Appends `count` events in appends of up to `perAppend`, spread over a few streams. */
async function appendEvents(store: EventStore, count: number, perAppend = 20): Promise<void> {
  for (let done = 0; done < count; done += perAppend) {
    const events = Array.from({ length: Math.min(perAppend, count - done) }, (_, i) => anEvent(done + i));
    await store.append(`development-${done % 7}`, events, 'any');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


type Received = { subject: string; msgId?: string; position?: string; body: ReturnType<typeof storedEventJson> };

describeWithNats('NATS JetStream relay', () => {
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  let stream: string;
  let subjectPrefix: string;
  let dataDir: string;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  beforeAll(async () => {
    nats = await connectNats(NATS_URL, 'relay-test');
    jsm = await nats.jetstreamManager();
  });

  afterAll(async () => {
    await nats?.close();
  });

  beforeEach(() => {
    // A stream and subjects of its own: runs (and tests) on the same server never meet.
    const id = randomUUID().replace(/-/g, '').slice(0, 10);
    stream = `TIMELINE_TEST_${id}`;
    subjectPrefix = `timeline_${id}.events`;
    dataDir = mkdtempSync(join(tmpdir(), 'timeline-relay-'));
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await jsm.streams.delete(stream).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openSqlite(dir = dataDir): Promise<Storage> {
    const storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, systemClock);
    cleanups.push(() => storage.close());
    return storage;
  }

  async function startRelay(storage: Storage, options: Partial<NatsRelayOptions> = {}): Promise<NatsRelay> {
    const relay = new NatsRelay(storage.eventStore, storage.readModel, nats, { stream, subjectPrefix, ...options });
    await relay.start();
    cleanups.push(() => relay.stop());
    return relay;
  }

  const streamState = async () => (await jsm.streams.info(stream)).state;

  /**
   * The position of every publish on the relay's subjects, duplicates included: a plain NATS
   * subscription sees each attempt, where the stream keeps one copy of each `Nats-Msg-Id`.
   */
  async function watchPublishes(): Promise<bigint[]> {
    const positions: bigint[] = [];
    const subscription = nats.subscribe(`${subjectPrefix}.>`, {
      callback: (error, message) => {
        if (!error) positions.push(BigInt(message.headers?.get(POSITION_HEADER) ?? '-1'));
      },
    });
    await nats.flush();
    cleanups.push(() => subscription.unsubscribe());
    return positions;
  }

  const range = (from: bigint, to: bigint) => Array.from({ length: Number(to - from + 1n) }, (_, i) => from + BigInt(i));

  const waitForMessages = (count: number) =>
    eventually(streamState, (state) => state.messages >= count, `${count} messages in the stream`);

  /** Everything in the stream, through a durable pull consumer with explicit acks, as a downstream service reads it. */
  async function consumeAll(expected: number): Promise<Received[]> {
    const durable = 'downstream';
    await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    const consumer = await nats.jetstream().consumers.get(stream, durable);
    const received: Received[] = [];
    const deadline = Date.now() + 15_000;
    while (received.length < expected && Date.now() < deadline) {
      const batch = await consumer.fetch({ max_messages: Math.min(500, expected - received.length), expires: 1000 });
      for await (const message of batch) {
        received.push({
          subject: message.subject,
          msgId: message.headers?.get('Nats-Msg-Id'),
          position: message.headers?.get(POSITION_HEADER),
          body: message.json(),
        });
        message.ack();
      }
    }
    const info = await jsm.consumers.info(stream, durable);
    expect(info.num_pending).toBe(0);
    return received;
  }

  /** Each event once, in position order, on `<prefix>.<type>`, with its id as `Nats-Msg-Id` and its JSON as the body. */
  function expectExactlyTheLog(received: Received[], log: StoredEvent[]): void {
    expect(received.map((message) => message.body.position)).toEqual(log.map((event) => Number(event.position)));
    expect(received).toEqual(
      log.map((event) => ({
        subject: `${subjectPrefix}.${event.type}`,
        msgId: event.eventId,
        position: event.position.toString(),
        body: storedEventJson(event),
      })),
    );
  }

  it('publishes every event of a burst once, in position order, on <prefix>.<type>, with Nats-Msg-Id = eventId', async () => {
    const api = await startTestApp({
      env: { TIMELINE_NATS_URL: NATS_URL, TIMELINE_NATS_STREAM: stream, TIMELINE_NATS_SUBJECT_PREFIX: subjectPrefix },
    });
    cleanups.push(() => api.close());
    const store = api.app.get<symbol, EventStore>(EVENT_STORE);

    await Promise.all([appendEvents(store, 300), appendEvents(store, 300, 1)]);
    await waitForMessages(600);

    const log = await store.readAll();
    expectExactlyTheLog(await consumeAll(600), log);
    // Listed beside the projections, as GET /v1/projections shows it.
    const relayListing = async () => (await api.get('/v1/projections')).body.projections.filter((p: { name: string }) => p.name === `nats:${stream}`);
    await eventually(relayListing, ([status]) => status?.checkpoint === 600, 'the checkpoint at 600');
    expect(await relayListing()).toEqual([{ name: `nats:${stream}`, checkpoint: 600, lag: 0, state: 'publishing' }]);

    const { config } = await jsm.streams.info(stream);
    expect(config).toMatchObject({ subjects: [`${subjectPrefix}.>`], storage: 'file', duplicate_window: DUPLICATE_WINDOW_MS * 1_000_000 });
    // The stream refuses a second copy of a published event within its duplicate window.
    const again = await nats.jetstream().publish(`${subjectPrefix}.${log[0].type}`, new Uint8Array(), { msgID: log[0].eventId });
    expect(again.duplicate).toBe(true);
    expect((await streamState()).messages).toBe(600);
  });

  it('loses and repeats nothing when the relay process is killed in the middle of a burst and a new one starts', async () => {
    const storage = await openSqlite();
    const child = startRelayProcess();
    cleanups.push(() => child.kill('SIGKILL'));
    await waitForLine(child, 'started');

    let appended = 0;
    let afterKill = 0;
    let killed = false;
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal)));
    while (afterKill < 10) {
      await appendEvents(storage.eventStore, 20);
      appended += 20;
      if (killed) afterKill += 1;
      else if ((await streamState()).messages >= 100) {
        child.kill('SIGKILL'); // mid-burst: acknowledged publishes, no checkpoint saved
        killed = true;
      }
      if (appended > 20_000) throw new Error('the relay process published nothing');
      await sleep(20);
    }
    expect(await exited).toBe('SIGKILL');

    const checkpoints = new RelayCheckpoints(storage.readModel, `nats:${stream}`);
    const published = (await streamState()).messages;
    expect(await checkpoints.load()).toBe(0n); // it died before its first save...
    expect(published).toBeGreaterThanOrEqual(100); // ...after publishing

    const publishes = await watchPublishes();
    const relay = await startRelay(storage);
    await appendEvents(storage.eventStore, 200); // and the burst goes on
    appended += 200;
    await waitForMessages(appended);

    expectExactlyTheLog(await consumeAll(appended), await storage.eventStore.readAll());
    // The new relay resumed after the stream's last message, not at its (empty) checkpoint.
    expect(publishes).toEqual(range(BigInt(published) + 1n, BigInt(appended)));
    await relay.stop();
    expect(await checkpoints.load()).toBe(BigInt(appended));
  });

  it('resumes from its durable checkpoint after a clean restart, publishing nothing twice', async () => {
    const storage = await openSqlite();
    const first = await startRelay(storage);
    await appendEvents(storage.eventStore, 100);
    await waitForMessages(100);
    await first.stop();
    expect(await new RelayCheckpoints(storage.readModel, `nats:${stream}`).load()).toBe(100n);

    // Emptied, the stream cannot tell the next relay where the last one stopped: only the checkpoint can.
    await jsm.streams.purge(stream);
    await appendEvents(storage.eventStore, 50);
    const publishes = await watchPublishes();
    const second = await startRelay(storage);
    await eventually(streamState, (state) => state.last_seq >= 150, 'the 50 new events');
    await sleep(300);

    expect(await streamState()).toMatchObject({ messages: 50, first_seq: 101, last_seq: 150 });
    expectExactlyTheLog(await consumeAll(50), await storage.eventStore.readAll({ after: 100n }));
    expect(publishes).toEqual(range(101n, 150n));
    await second.stop();
    expect(await new RelayCheckpoints(storage.readModel, `nats:${stream}`).load()).toBe(150n);
  });

  it('refuses to start on a stream that holds another database\'s log, instead of skipping events', async () => {
    const storage = await openSqlite();
    const relay = await startRelay(storage);
    await appendEvents(storage.eventStore, 30);
    await waitForMessages(30);
    await relay.stop();

    const otherDir = mkdtempSync(join(tmpdir(), 'timeline-relay-'));
    cleanups.push(() => rmSync(otherDir, { recursive: true, force: true }));
    const other = await openSqlite(otherDir);
    await appendEvents(other.eventStore, 10);
    await expect(new NatsRelay(other.eventStore, other.readModel, nats, { stream, subjectPrefix }).start()).rejects.toThrow(
      `stream '${stream}' ends at position 30, past the log's last (10): it holds another database's log`,
    );
  });

  (postgresAvailable || process.env.CI ? it : it.skip)(
    'publishes from one instance at a time on a shared PostgreSQL database, and another takes over when it stops',
    async () => {
      const schema = await aPostgresSchema();
      cleanups.push(() => schema.drop());
      const instances: Array<{ storage: Storage; relay: NatsRelay }> = [];
      for (let i = 0; i < 2; i++) {
        const storage = await openStorage({ dataDir, eventStore: 'postgres', databaseUrl: schema.url }, systemClock);
        cleanups.push(() => storage.close());
        instances.push({ storage, relay: await startRelay(storage, { leaseRetryMs: 100, leaseCheckMs: 200 }) });
      }
      const store = instances[0].storage.eventStore;

      await appendEvents(store, 200);
      await waitForMessages(200);
      const states = () => instances.map(({ relay }) => relay.status.state).sort();
      await eventually(async () => states(), (s) => s.join() === 'publishing,standby', 'one publisher and one standby');

      const leader = instances.find(({ relay }) => relay.status.state === 'publishing')!;
      const standby = instances.find((instance) => instance !== leader)!;
      await leader.relay.stop();
      await appendEvents(store, 100);
      await waitForMessages(300);

      expect(standby.relay.status).toMatchObject({ state: 'publishing' });
      expectExactlyTheLog(await consumeAll(300), await store.readAll());
    },
  );

  /** A relay in its own process, saving no checkpoint until it stops (it never will: it gets killed). */
  function startRelayProcess(): ChildProcess {
    const script = `
      const { openStorage } = require('./src/bootstrap/open-storage');
      const { connectNats } = require('./src/relay/nats-connection');
      const { NatsRelay } = require('./src/relay/nats-relay');
      const [dataDir, url, stream, subjectPrefix] = process.argv.slice(1);
      (async () => {
        // Beside the test's own store on the data dir (which holds its lock): the relay appends nothing.
        const storage = await openStorage({ dataDir, eventStore: 'sqlite' }, { now: () => Date.now() }, { lockDataDir: false });
        const nats = await connectNats(url, 'relay-to-kill');
        const relay = new NatsRelay(storage.eventStore, storage.readModel, nats, { stream, subjectPrefix, checkpointEveryEvents: 1e9, checkpointEveryMs: 600000 });
        await relay.start();
        process.stdout.write('started\\n');
      })().catch((error) => {
        process.stderr.write(String(error && error.stack || error));
        process.exit(1);
      });
    `;
    return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script, dataDir, NATS_URL, stream, subjectPrefix], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
});

function waitForLine(child: ChildProcess, line: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(() => reject(new Error(`no '${line}' from the relay process: ${errors || output}`)), timeoutMs);
    child.stderr?.on('data', (chunk) => (errors += String(chunk)));
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
      if (output.split('\n').includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the relay process exited (${code}): ${errors || output}`));
    });
  });
}

const NATS_SERVER = '/usr/sbin/nats-server';

/** A NATS server of the test's own (so it can be killed), on a free port, keeping its stream in `storeDir`. */
function startOwnNatsServer(port: number, storeDir: string): ChildProcess {
  return spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
}

(existsSync(NATS_SERVER) || process.env.CI ? describe : describe.skip)('NATS relay through an outage', () => {
  it('waits out a NATS server killed in the middle of a burst, then publishes the rest, nothing lost or repeated', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timeline-relay-'));
    const storeDir = mkdtempSync(join(tmpdir(), 'timeline-nats-'));
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const url = `nats://127.0.0.1:${port}`;
    const stream = 'TIMELINE';
    const subjectPrefix = 'timeline.events';
    let server = startOwnNatsServer(port, storeDir);
    const storage = await openStorage({ dataDir, eventStore: 'sqlite' }, systemClock);
    const connections: NatsConnection[] = [];
    let relay: NatsRelay | undefined;
    try {
      const connectWhenUp = async (name: string) => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          try {
            const connection = await connectNats(url, name);
            connections.push(connection);
            return connection;
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await sleep(100);
          }
        }
      };
      const observer = await connectWhenUp('observer');
      const jsm = await observer.jetstreamManager();
      relay = new NatsRelay(storage.eventStore, storage.readModel, await connectWhenUp('relay'), { stream, subjectPrefix, retryMaxMs: 500, publishTimeoutMs: 2000 });
      await relay.start();
      const messages = async () => (await jsm.streams.info(stream)).state.messages;

      let appended = 0;
      while ((await messages()) < 100) {
        await appendEvents(storage.eventStore, 20);
        appended += 20;
        await sleep(10);
      }
      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));
      await appendEvents(storage.eventStore, 200); // written while NATS is down
      appended += 200;
      await sleep(500);

      server = startOwnNatsServer(port, storeDir);
      await eventually(() => messages().catch(() => -1), (count) => count >= appended, `${appended} messages after the outage`);
      await sleep(300);

      const log = await storage.eventStore.readAll();
      const { state } = await jsm.streams.info(stream);
      expect(state).toMatchObject({ messages: log.length, first_seq: 1, last_seq: log.length });
      for (const event of log) {
        const message = await jsm.streams.getMessage(stream, { seq: Number(event.position) });
        expect([message.header.get('Nats-Msg-Id'), message.header.get(POSITION_HEADER)]).toEqual([event.eventId, event.position.toString()]);
      }
      expect(relay.status).toMatchObject({ state: 'publishing', checkpoint: BigInt(log.length) });
    } finally {
      await relay?.stop();
      for (const connection of connections) await connection.close();
      server.kill('SIGKILL');
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});

describe('NATS relay configuration', () => {
  it('is off when TIMELINE_NATS_URL is unset', async () => {
    expect(loadConfig({}).natsUrl).toBeUndefined();
    const api = await startTestApp();
    try {
      expect((await api.get('/v1/projections')).body.projections.map((p: { name: string }) => p.name)).toEqual(['knowledge', 'audit-merkle']);
    } finally {
      await api.close();
    }
  });

  it('takes only nats:// URLs, and stream names and subject prefixes NATS accepts, naming the setting', () => {
    expect(() => loadConfig({ TIMELINE_NATS_URL: 'http://127.0.0.1:4222' })).toThrow(new ConfigError('TIMELINE_NATS_URL', 'must start with nats://'));
    expect(() => loadConfig({ TIMELINE_NATS_STREAM: 'a.b' })).toThrow(/^TIMELINE_NATS_STREAM: /);
    expect(() => loadConfig({ TIMELINE_NATS_SUBJECT_PREFIX: 'events.>' })).toThrow(/^TIMELINE_NATS_SUBJECT_PREFIX: /);
    expect(loadConfig({ TIMELINE_NATS_URL: 'nats://127.0.0.1:4222' })).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      natsStream: 'TIMELINE',
      natsSubjectPrefix: 'timeline.events',
    });
  });

  it('stops the start with one line naming TIMELINE_NATS_URL when NATS cannot be reached', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timeline-relay-'));
    const storage = await openStorage({ dataDir, eventStore: 'sqlite' }, systemClock);
    try {
      const config = loadConfig({ TIMELINE_NATS_URL: 'nats://127.0.0.1:1', TIMELINE_DATA_DIR: dataDir });
      const service = new NatsRelayService(config, storage.eventStore, storage.readModel, systemClock, new LogConsumers());
      const failure = await service.onApplicationBootstrap().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      expect(failure).toMatchObject({ setting: 'TIMELINE_NATS_URL', message: expect.stringMatching(/^TIMELINE_NATS_URL: cannot reach NATS: [^\n]+$/) });
    } finally {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
