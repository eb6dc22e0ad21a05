import { Kysely, sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rebuildKnowledgeFromLog } from '../../migrations/knowledge-rebuild';
import { DatasetGenerator, PlannedAppend, developmentName, sourceName } from '../../bench/dataset';
import { StorageConfig, openStorage, Storage } from '../../src/bootstrap/open-storage';
import { KNOWLEDGE_TABLES, KnowledgeProjection } from '../../src/projections/knowledge/knowledge.projection';
import { ProjectionRunner, startProjections } from '../../src/projections/projection-runner';
import { SqliteReadModelDatabase } from '../../src/database/read-model-database';
import { upcasters } from '../../src/event-store/upcasters';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';
import { comparable, readModelRows } from '../support/read-model-rows';

const TABLES = [...KNOWLEDGE_TABLES, 'projection_checkpoints'];

/** A store on a clock a second apart per append (each append its own transaction time). */
async function withStore(config: (dir: string) => Promise<{ config: StorageConfig; release(): Promise<void> }>, run: (storage: Storage) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'timeline-rebuild-'));
  const { config: storageConfig, release } = await config(dir);
  let now = Date.UTC(2025, 0, 1);
  const storage = await openStorage(storageConfig, { now: () => (now += 1000) });
  try {
    await run(storage);
  } finally {
    await storage.close();
    await release();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Append = Readonly<{ planned: PlannedAppend; expected: 'no-stream' | 'stream-exists' }>;

/** The benchmark's data set (every kind of knowledge event), then `laterClaims` more claims to each of its first developments, round by round. */
function dataset(developments: number, laterClaims = 0): Append[] {
  const generator = new DatasetGenerator({ developments, developmentsPerTopic: 10, sources: 8, seed: 7 });
  const appends = [...generator.sourceAppends(), ...generator.developmentAppends()];
  const later = Array.from({ length: laterClaims * 4 }, (_, i): PlannedAppend => {
    const developmentId = developmentName(i % 4);
    const id = (kind: number) => `00000000-0000-4000-800${kind}-${String(i).padStart(12, '0')}`;
    const data = { developmentId, claimId: id(0), sourceId: sourceName(i % 8), stance: i % 3 === 0 ? 'denies' : 'asserts', reportedAt: `2030-01-${String(1 + (i % 28)).padStart(2, '0')}` };
    const metadata = { schemaVersion: upcasters.currentVersion('ClaimReported'), correlationId: id(1), causationId: id(1), actor: 'test' };
    return { streamId: `development-${developmentId}`, events: [{ eventId: id(2), type: 'ClaimReported', data, metadata }] };
  });
  return [
    ...appends.map((planned) => ({ planned, expected: 'no-stream' as const })),
    ...[...generator.correctionAppends(), ...later].map((planned) => ({ planned, expected: 'stream-exists' as const })),
  ];
}

/**
 * Appends each, applied live before the next: by one projection, or by `projections` taking turns
 * every `turn` appends (each a runner of its own, as two instances sharing the read model would).
 */
async function appendFollowedLive(storage: Storage, appends: readonly Append[], projections = [new KnowledgeProjection()], turn = appends.length): Promise<void> {
  for (let start = 0; start < appends.length; start += turn) {
    const runner = new ProjectionRunner(storage.eventStore, storage.readModel, projections[(start / turn) % projections.length]);
    await runner.start();
    try {
      for (const { planned, expected } of appends.slice(start, start + turn)) {
        const { position } = await storage.eventStore.append(planned.streamId, planned.events, expected);
        expect(await runner.waitFor(position, 10_000)).toBe(true);
      }
    } finally {
      await runner.stop();
    }
  }
}

/** Empties the knowledge read model as a migration does and rebuilds it from position 0 (by `projection`, a new one unless given). */
async function rebuild(storage: Storage, projection = new KnowledgeProjection()): Promise<void> {
  await storage.readModel.write((trx) => rebuildKnowledgeFromLog(trx as unknown as Kysely<unknown>, KNOWLEDGE_TABLES));
  const runner = new ProjectionRunner(storage.eventStore, storage.readModel, projection);
  await runner.start();
  try {
    expect(await runner.waitFor(await storage.eventStore.headPosition(), 30_000)).toBe(true);
  } finally {
    await runner.stop();
  }
}

/**
 * Every row but those current at no transaction time (`sys_from` = `sys_to`: closed the instant
 * they were inserted, which no query sees), sorted, whatever the store's row order.
 */
async function visibleRows(storage: Storage): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(storage.readModel.query);
    out[table] = rows
      .filter((row) => !('sys_to' in row) || String(row.sys_from) !== String(row.sys_to))
      .map((row) => JSON.stringify(Object.values(comparable(table, row))))
      .sort();
  }
  return out;
}

/** The rows any query can see are the same after a {@link rebuild} (by `projection`, a new one unless given) as before it. */
async function expectVisibleRowsKeptByRebuild(storage: Storage, projection?: KnowledgeProjection): Promise<void> {
  const visible = await visibleRows(storage);
  await rebuild(storage, projection);
  expect(await visibleRows(storage)).toEqual(visible);
}

function rebuildSpecs(store: () => (dir: string) => Promise<{ config: StorageConfig; release(): Promise<void> }>) {
  it('holds the same rows, column by column, after a rebuild from the log as the projection that followed every append', async () => {
    // Under one page of the log (500 events): the rebuild applies it in one batch.
    await withStore(store(), async (storage) => {
      await appendFollowedLive(storage, dataset(30));
      expect(Number(await storage.eventStore.headPosition())).toBeLessThan(500);
      const live = await readModelRows(storage.readModel.query, TABLES);
      await rebuild(storage);
      expect(await readModelRows(storage.readModel.query, TABLES)).toEqual(live);
    });
  }, 60_000);

  it('differs over several pages of the log only in rows closed the instant they were inserted, where a page ends inside an append', async () => {
    await withStore(store(), async (storage) => {
      await appendFollowedLive(storage, dataset(120));
      expect(Number(await storage.eventStore.headPosition())).toBeGreaterThan(1000);
      await expectVisibleRowsKeptByRebuild(storage);
    });
  }, 120_000);

  // A projection keeps each development's claims between batches (RecordedClaimsCache): what it
  // keeps must be dropped whenever the read model changed without it.
  it('holds the same rows when two projections take turns following the appends (each re-reading what the other wrote)', async () => {
    await withStore(store(), async (storage) => {
      await appendFollowedLive(storage, dataset(20, 12), [new KnowledgeProjection(), new KnowledgeProjection()], 5);
      await expectVisibleRowsKeptByRebuild(storage);
    });
  }, 60_000);

  it('holds the same rows when the projection that followed the appends rebuilds the emptied read model itself', async () => {
    await withStore(store(), async (storage) => {
      const projection = new KnowledgeProjection();
      await appendFollowedLive(storage, dataset(20, 12), [projection]);
      await expectVisibleRowsKeptByRebuild(storage, projection);
    });
  }, 60_000);
}

describe('knowledge read model rebuilt vs projected live (SQLite)', () => {
  const sqlite = () => async (dir: string) => ({ config: { dataDir: dir, eventStore: 'sqlite' as const }, release: async () => undefined });
  rebuildSpecs(sqlite);

  it('holds the same rows when the projections apply each append in its own transaction (as the server’s do)', async () => {
    await withStore(sqlite(), async (storage) => {
      const [runner] = await startProjections(storage.eventStore, storage.readModel, [new KnowledgeProjection()], { inAppendTransactions: true });
      const before = (storage.readModel as SqliteReadModelDatabase).commitStats.transactions;
      try {
        for (const { planned, expected } of dataset(20, 12)) {
          const { position } = await storage.eventStore.append(planned.streamId, planned.events, expected);
          expect(runner.checkpoint).toBe(position);
        }
      } finally {
        await runner.stop();
      }
      expect((storage.readModel as SqliteReadModelDatabase).commitStats.transactions).toBe(before);
      await expectVisibleRowsKeptByRebuild(storage);
    });
  }, 60_000);
});

describeWithPostgres('knowledge read model rebuilt vs projected live (PostgreSQL)', () => {
  rebuildSpecs(() => async (dir) => {
    const schema = await aPostgresSchema();
    return { config: { dataDir: dir, eventStore: 'postgres', databaseUrl: schema.url }, release: () => schema.drop() };
  });
});
