import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { Pool } from 'pg';
import { insertRows, runCompiled } from '../../src/database/compiled-query';
import { PostgresReadModelDatabase } from '../../src/database/postgres-read-model-database';
import { SqliteReadModelDatabase } from '../../src/database/read-model-database';
import { SqliteDatabase } from '../../src/database/sqlite-database';
import { ReadModelSchema } from '../../src/database/schema';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';

const FULL = 2;

describe('read-model writes on SQLite', () => {
  let dir: string;
  let sqlite: SqliteDatabase;
  let db: SqliteReadModelDatabase;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'timeline-writes-'));
    sqlite = new SqliteDatabase(join(dir, 'timeline.sqlite'));
    db = new SqliteReadModelDatabase(sqlite);
    await db.migrate();
  });

  afterEach(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits a derived write at synchronous NORMAL and leaves the writer at FULL for the appends after it, also when it fails', async () => {
    let during: unknown;
    await db.writeDerived(async (trx) => {
      during = sqlite.writer.pragma('synchronous', { simple: true });
      await trx.insertInto('sources').values({ source_id: 's', profile: '{}', position: 1, sys_from: 1 }).execute();
    });
    expect(during).toBe(1);
    expect(sqlite.writer.pragma('synchronous', { simple: true })).toBe(FULL);

    await expect(
      db.writeDerived(async (trx) => {
        await trx.insertInto('sources').values({ source_id: 't', profile: '{}', position: 2, sys_from: 2 }).execute();
        throw new Error('batch failed');
      }),
    ).rejects.toThrow('batch failed');
    expect(sqlite.writer.pragma('synchronous', { simple: true })).toBe(FULL);
    expect(await db.query.selectFrom('sources').select('source_id').execute()).toEqual([{ source_id: 's' }]);
  });

  it('runs a compiled statement again with new parameters, and refuses parameters that do not follow its text', async () => {
    const sources = (trx: Kysely<ReadModelSchema>, id: string) =>
      runCompiled(trx, 'test source by id', () => trx.selectFrom('sources').select('source_id').where('source_id', '=', id).where('position', '>', 0), [id, 0]);
    await db.write(async (trx) => {
      await insertRows(trx, 'sources', [
        { source_id: 'a', profile: '{}', position: 1, sys_from: 1 },
        { source_id: 'b', profile: '{}', position: 2, sys_from: 1 },
      ]);
      expect((await sources(trx, 'a')).rows).toEqual([{ source_id: 'a' }]);
      expect((await sources(trx, 'b')).rows).toEqual([{ source_id: 'b' }]);
      await expect(runCompiled(trx, 'test swapped', () => trx.selectFrom('sources').select('source_id').where('source_id', '=', 'a').where('position', '>', 0), [0, 'a'])).rejects.toThrow(
        /do not follow the compiled/,
      );
    });
  });

  it('inserts rows whose columns differ, or hold undefined, as kysely would build them', async () => {
    await db.write((trx) =>
      insertRows(trx, 'status_segments', [
        { development_id: 'd', known_from: 1, known_to: 2, sys_from: 1, sys_to: 9, status: 'reported', summary: '{}', known_from_text: 'x', first_reported_at: 'x', last_reported_at: 'x', cause_position: 1 },
        { development_id: 'd', known_from: 2, known_to: 3, sys_from: 1, sys_to: 9, status: 'confirmed', previous_status: 'reported', summary: '{}', known_from_text: 'y', first_reported_at: 'x', last_reported_at: 'y', cause_position: 2 },
        { development_id: 'd', known_from: 3, known_to: 4, sys_from: 1, sys_to: 9, status: 'confirmed', previous_status: undefined, summary: '{}', known_from_text: 'z', first_reported_at: 'x', last_reported_at: 'z', cause_position: 3 },
      ]),
    );
    const rows = await db.query.selectFrom('status_segments').select(['known_from', 'previous_status']).orderBy('known_from').execute();
    expect(rows).toEqual([
      { known_from: 1, previous_status: null },
      { known_from: 2, previous_status: 'reported' },
      { known_from: 3, previous_status: null },
    ]);
  });
});

describeWithPostgres('read-model writes on PostgreSQL', () => {
  it('turns synchronous_commit off for a derived write only', async () => {
    const schema = await aPostgresSchema();
    const pool = new Pool({ connectionString: schema.url, max: 1 });
    try {
      const db = new PostgresReadModelDatabase(pool);
      const setting = async (trx: Kysely<ReadModelSchema>) => (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(trx)).rows[0].synchronous_commit;
      const serverDefault = await setting(db.query);
      expect(await db.writeDerived(setting)).toBe('off');
      expect(await db.write(setting)).toBe(serverDefault);
      expect(await setting(db.query)).toBe(serverDefault);
    } finally {
      await pool.end();
      await schema.drop();
    }
  });
});
