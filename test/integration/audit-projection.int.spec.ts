import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage, openStorage } from '../../src/bootstrap/open-storage';
import { ReadModelDatabase } from '../../src/database/read-model-database';
import { AuditProjection } from '../../src/projections/audit.projection';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { eventually } from '../support/eventually';

const TABLES = ['audit_leaves', 'audit_nodes'] as const;

async function withStore(run: (storage: Storage) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'timeline-audit-'));
  const storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, { now: () => Date.UTC(2025, 0, 1) });
  try {
    await run(storage);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const append = (storage: Storage, i: number) =>
  storage.eventStore.append(`stream-${i % 3}`, [{ eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, type: 'Noted', data: { i }, metadata: { schemaVersion: 1, correlationId: 'c', causationId: 'c', actor: 'test' } }], 'any');

/** Follows the appends `from`..`to` (exclusive) with a runner of `projection` over `db`. */
async function follow(storage: Storage, projection: AuditProjection, from: number, to: number, db: ReadModelDatabase = storage.readModel): Promise<void> {
  const runner = new ProjectionRunner(storage.eventStore, db, projection);
  await runner.start();
  try {
    for (let i = from; i < to; i++) {
      const { position } = await append(storage, i);
      // Polled after a failed batch: a runner retrying answers waitFor at once.
      if (!(await runner.waitFor(position, 10_000))) await eventually(async () => runner.checkpoint, (checkpoint) => checkpoint >= position, `applied through ${position}`);
    }
  } finally {
    await runner.stop();
  }
}

/** The tree's rows as a projection that starts from nothing makes them from the log (the rows are emptied first). */
async function rebuiltRows(storage: Storage): ReturnType<typeof treeRows> {
  await storage.readModel.write(async (trx) => {
    for (const table of TABLES) await trx.deleteFrom(table).execute();
    await trx.deleteFrom('projection_checkpoints').where('projection', '=', 'audit-merkle').execute();
  });
  const runner = new ProjectionRunner(storage.eventStore, storage.readModel, new AuditProjection());
  await runner.start();
  try {
    expect(await runner.waitFor(await storage.eventStore.headPosition(), 10_000)).toBe(true);
  } finally {
    await runner.stop();
  }
  return treeRows(storage);
}

/** Every leaf and node of the stored tree, in index order. */
async function treeRows(storage: Storage) {
  const db = storage.readModel.query;
  return {
    leaves: await db.selectFrom('audit_leaves').selectAll().orderBy('leaf_index').execute(),
    nodes: await db.selectFrom('audit_nodes').selectAll().orderBy('level').orderBy('node_index').execute(),
  };
}

// The projection keeps the tree's right edge between batches: it must read it again whenever the
// rows moved without it.
describe('audit projection: the tree edge kept between batches', () => {
  it('makes the same tree when two projections take turns following the appends (each reading what the other wrote)', async () => {
    await withStore(async (storage) => {
      const projections = [new AuditProjection(), new AuditProjection()];
      for (let turn = 0; turn < 6; turn++) await follow(storage, projections[turn % 2], turn * 5, turn * 5 + 5);
      const followed = await treeRows(storage);
      expect(followed.leaves).toHaveLength(30);

      expect(await rebuiltRows(storage)).toEqual(followed);
    });
  }, 60_000);

  it('makes the same tree when a batch is rolled back after the projection applied it, and is applied again', async () => {
    await withStore(async (storage) => {
      const projection = new AuditProjection();
      await follow(storage, projection, 0, 5);
      // The next transaction runs the batch, then fails to commit: its rows are undone.
      let failures = 1;
      const rollingBack: ReadModelDatabase = Object.assign(Object.create(storage.readModel) as ReadModelDatabase, {
        write: <T>(section: Parameters<ReadModelDatabase['write']>[0]) =>
          storage.readModel.write(async (trx) => {
            const result = (await section(trx)) as T;
            if (failures-- > 0) throw new Error('injected: the commit failed');
            return result;
          }),
      });
      await follow(storage, projection, 5, 12, rollingBack);
      expect(failures).toBeLessThan(0);
      const followed = await treeRows(storage);
      expect(followed.leaves).toHaveLength(12);

      expect(await rebuiltRows(storage)).toEqual(followed);
    });
  }, 60_000);

  it('reads the edge again after a transaction it applied a batch in was rolled back, though another process then applied other events at the same positions', async () => {
    await withStore(async (storage) => {
      const projection = new AuditProjection();
      await follow(storage, projection, 0, 5);
      const checkpoint = await storage.readModel.query.selectFrom('projection_checkpoints').select(['position', 'generation']).where('projection', '=', 'audit-merkle').executeTakeFirstOrThrow();
      const from = { generation: checkpoint.generation, position: BigInt(checkpoint.position) };
      // An append transaction the projection applied positions 6 and 7 in, rolled back (the appends then written again, other events).
      const [fourth, fifth] = (await storage.eventStore.readAll()).slice(3, 5);
      const gone = [fourth, fifth].map((event, i) => ({ ...event, position: from.position + BigInt(i + 1) }));
      await expect(
        storage.readModel.write(async (trx) => {
          await projection.apply(trx, gone, from);
          throw new Error('injected: rolled back');
        }),
      ).rejects.toThrow('injected');
      projection.rolledBack();
      // Another process applies the events now at 6 and 7, leaving the checkpoint where the rolled-back batch would have.
      await follow(storage, new AuditProjection(), 5, 7);
      await follow(storage, projection, 7, 10);
      const followed = await treeRows(storage);
      expect(followed.leaves).toHaveLength(10);

      expect(await rebuiltRows(storage)).toEqual(followed);
    });
  }, 60_000);
});
