import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SqliteLeafRangeReader } from '../../src/audit/verify/sqlite-leaf-ranges';
import { SqliteDatabase } from '../../src/database/sqlite-database';
import { SQLITE_FILE, Storage, openStorage } from '../../src/bootstrap/open-storage';
import { NewEvent, WrongExpectedVersionError } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { Clock } from '../../src/platform/clock';
import { describeEventStoreContract } from './event-store.contract';

const FULL = 2;

function aTempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'timeline-sqlite-store-'));
}

function aSettableClock(start = Date.parse('2030-01-01T00:00:00.000Z')): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => (now = ms) };
}

function anEvent(data: object): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'ClaimReported',
    data,
    metadata: { schemaVersion: 1, correlationId: randomUUID(), causationId: randomUUID(), actor: 'sqlite-test' },
  };
}

describeEventStoreContract('SQLite', async () => {
  const dataDir = aTempDataDir();
  const clock = aSettableClock();
  const storage = await openStorage({ dataDir, eventStore: 'sqlite' }, clock);
  return {
    store: storage.eventStore,
    setNow: (ms) => clock.set(ms),
    async close() {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describe('SQLite event store file', () => {
  let dataDir: string;
  const open: Array<Storage | SqliteDatabase> = [];

  beforeEach(() => {
    dataDir = aTempDataDir();
  });

  afterEach(async () => {
    for (const handle of open.splice(0)) {
      if (handle instanceof SqliteDatabase) handle.close();
      else await handle.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openStore(clock: Clock = aSettableClock()): Promise<Storage> {
    const storage = await openStorage({ dataDir, eventStore: 'sqlite' }, clock);
    open.push(storage);
    return storage;
  }

  function openDatabase(): SqliteDatabase {
    const database = new SqliteDatabase(join(dataDir, SQLITE_FILE));
    open.push(database);
    return database;
  }

  function durabilityOf(database: SqliteDatabase): Array<{ synchronous: unknown; journalMode: unknown }> {
    return [database.writer, database.logReader, database.queryReader].map((connection) => ({
      synchronous: connection.pragma('synchronous', { simple: true }),
      journalMode: connection.pragma('journal_mode', { simple: true }),
    }));
  }

  /** A store on its own connections to a migrated file, so a test can reach its writer connection. */
  async function aStoreOnItsWriter(): Promise<{ store: SqliteEventStore; writer: SqliteDatabase['writer'] }> {
    await (await openStore()).close();
    open.pop();
    const database = openDatabase();
    return { store: new SqliteEventStore(database, aSettableClock()), writer: database.writer };
  }

  it('shares one transaction (one fsync) among appends submitted together; one refused for its expected version fails alone', async () => {
    const { store } = await aStoreOnItsWriter();
    await store.append('taken', [anEvent({ n: -1 })], 'no-stream');
    const before = store.commitStats.transactions;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => store.append(i === 7 ? 'taken' : `writer-${i}`, [anEvent({ n: i })], 'no-stream')),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array.from({ length: 40 }, (_, i) => (i === 7 ? 'rejected' : 'fulfilled')));
    expect((outcomes[7] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    // Submitted in one turn of the event loop, the 40 share one transaction (a commit blocks the thread, so the first waits the turn out).
    expect(store.commitStats.transactions - before).toBe(1);
    const positions = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [Number(outcome.value.position)] : []));
    expect(positions).toEqual(Array.from({ length: 39 }, (_, i) => positions[0] + i));
    expect((await store.readAll()).map((event) => (event.data as { n: number }).n)).toEqual([-1, ...Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 7)]);
  });

  it('fails only the append SQLite itself refuses in a shared transaction; the others commit', async () => {
    const { store, writer } = await aStoreOnItsWriter();
    writer.exec("CREATE TEMP TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.type = 'Poison' BEGIN SELECT RAISE(ABORT, 'poison refused'); END");
    const poison = { ...anEvent({ n: 'poison' }), type: 'Poison' };
    const outcomes = await Promise.allSettled([
      store.append('first', [anEvent({ n: 0 })], 'any'),
      store.append('a', [anEvent({ n: 1 })], 'any'),
      store.append('poisoned', [poison], 'any'),
      store.append('b', [anEvent({ n: 2 })], 'any'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toContain('poison refused');
    expect((await store.readAll()).map((event) => (event.data as { n: number }).n)).toEqual([0, 1, 2]);
  });

  it('fails only the append too big for a full disk in a shared transaction; the smaller ones commit', async () => {
    const { store, writer } = await aStoreOnItsWriter();
    await store.append('warm', [anEvent({ n: -1 })], 'any');
    writer.pragma(`max_page_count = ${Number(writer.pragma('page_count', { simple: true })) + 6}`);
    const big = Array.from({ length: 40 }, () => anEvent({ pad: 'x'.repeat(2000) }));
    const outcomes = await Promise.allSettled([
      store.append('first', [anEvent({ n: 0 })], 'any'),
      store.append('small', [anEvent({ n: 1 })], 'any'),
      store.append('big', big, 'any'),
      store.append('small', [anEvent({ n: 2 })], 'any'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_FULL' });
    expect((await store.readAll()).map((event) => event.streamId)).toEqual(['warm', 'first', 'small', 'small']);
  });

  it('refuses an append whose data is not JSON at the call, alone; the appends beside it share one transaction', async () => {
    const { store } = await aStoreOnItsWriter();
    await store.append('first', [anEvent({ n: 0 })], 'any');
    const before = store.commitStats.transactions;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.append(`s-${i}`, i === 4 ? [anEvent({ n: i }), anEvent({ n: 10n })] : [anEvent({ n: i })], 'any')),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
    // The nine submitted in one turn of the event loop share one transaction: it was not rolled back and retried one by one.
    expect(store.commitStats.transactions - before).toBe(1);
    expect((await store.readAll()).map((event) => (event.data as { n: number }).n)).toEqual([0, 0, 1, 2, 3, 5, 6, 7, 8, 9]);
  });

  it('closes after the appends already queued, refusing later ones, even while a writer keeps appending', async () => {
    const { store } = await aStoreOnItsWriter();
    const queued = Array.from({ length: 20 }, (_, i) => store.append(`q-${i}`, [anEvent({ n: i })], 'any'));
    let looping = true;
    let refusal: unknown;
    const writer = (async () => {
      while (looping) {
        try {
          // As a server's writers do, between appends the loop gives the event loop a turn (its I/O).
          await new Promise((resolve) => setImmediate(resolve));
          await store.append('loop', [anEvent({ n: 'loop' })], 'any');
        } catch (error) {
          refusal = error;
          return;
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.close();
    looping = false;
    await writer;
    expect((await Promise.allSettled(queued)).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(String(refusal)).toContain('closed');
  });

  it('runs every connection with synchronous FULL in WAL mode, also after the file is closed and reopened', async () => {
    const storage = await openStore();
    await storage.eventStore.append('development-1', [anEvent({ n: 1 })], 'no-stream');
    await storage.close();
    open.splice(open.indexOf(storage), 1);

    const first = openDatabase();
    expect(durabilityOf(first)).toEqual(Array(3).fill({ synchronous: FULL, journalMode: 'wal' }));
    first.close();

    const reopened = openDatabase();
    expect(durabilityOf(reopened)).toEqual(Array(3).fill({ synchronous: FULL, journalMode: 'wal' }));

    // And the read-only connection each verify worker opens on the file.
    const reader = new SqliteLeafRangeReader(join(dataDir, SQLITE_FILE));
    try {
      expect(reader.connection.pragma('synchronous', { simple: true })).toBe(FULL);
      expect(reader.connection.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(reader.connection.readonly).toBe(true);
    } finally {
      reader.close();
    }
  });

  it('keeps an acknowledged append, with its data, positions and recordedAt, after the store is closed and reopened', async () => {
    const before = await openStore(aSettableClock(Date.parse('2030-06-01T12:00:00.000Z')));
    await before.eventStore.append('source-1', [anEvent({ name: 'Reuters' })], 'no-stream');
    const acknowledged = await before.eventStore.append(
      'development-1',
      [anEvent({ text: 'ünï 😀', nested: { n: 1.25, list: [1, null, 'x'] } }), anEvent({ text: 'second' })],
      'no-stream',
    );
    await before.close();
    open.splice(open.indexOf(before), 1);

    // The clock after the restart is earlier: recordedAt must still not go backwards.
    const after = await openStore(aSettableClock(Date.parse('2030-01-01T00:00:00.000Z')));

    expect(await after.eventStore.readStream('development-1')).toEqual(acknowledged.events);
    expect((await after.eventStore.readAll()).map((e) => e.position)).toEqual([1n, 2n, 3n]);
    expect(await after.eventStore.headPosition()).toBe(3n);
    const next = await after.eventStore.append('development-1', [anEvent({ text: 'third' })], 1n);
    expect(next.position).toBe(4n);
    expect(next.streamVersion).toBe(2n);
    expect(next.events[0].recordedAt).toBe('2030-06-01T12:00:00.000Z');
  });

  it('keeps an append acknowledged by a process that is then killed', async () => {
    const script = `
      const { openStorage } = require('./src/bootstrap/open-storage');
      (async () => {
        const storage = await openStorage({ dataDir: process.argv[1], eventStore: 'sqlite' }, { now: () => Date.parse('2030-03-03T03:03:03.333Z') });
        const result = await storage.eventStore.append('development-1', [{
          eventId: '7b0f3e52-8c3a-4a8e-9d6e-2f1c9a7b5e01', type: 'ClaimReported',
          data: { text: 'acknowledged' },
          metadata: { schemaVersion: 1, correlationId: 'c', causationId: 'c', actor: 'child' },
        }], 'no-stream');
        process.stdout.write(String(result.position), () => process.kill(process.pid, 'SIGKILL'));
      })();
    `;
    const child = promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script, dataDir], {
      cwd: resolve(__dirname, '../..'),
    });
    const killed = await child.then(
      () => undefined,
      (error: { signal?: string; stdout?: string }) => error,
    );
    expect(killed).toMatchObject({ signal: 'SIGKILL', stdout: '1' });

    const storage = await openStore();

    expect(await storage.eventStore.readStream('development-1')).toEqual([
      expect.objectContaining({
        position: 1n,
        streamVersion: 0n,
        eventId: '7b0f3e52-8c3a-4a8e-9d6e-2f1c9a7b5e01',
        data: { text: 'acknowledged' },
        recordedAt: '2030-03-03T03:03:03.333Z',
      }),
    ]);
  }, 20_000);
});
