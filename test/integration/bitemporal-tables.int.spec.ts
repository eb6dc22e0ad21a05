import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModelDatabase } from '../../src/database/read-model-database';
import { FOREVER } from '../../src/database/schema';
import { SqliteDatabase } from '../../src/database/sqlite-database';
import { CLAIM_VERSIONS, DEVELOPMENT_TOPICS, currentVersion, supersede } from '../../src/projections/knowledge/bitemporal.tables';

describe('supersede, the one bitemporal step', () => {
  let dir: string;
  let sqlite: SqliteDatabase;
  let db: SqliteReadModelDatabase;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'timeline-supersede-'));
    sqlite = new SqliteDatabase(join(dir, 'timeline.sqlite'));
    db = new SqliteReadModelDatabase(sqlite);
    await db.migrate();
  });

  afterEach(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const topics = async () =>
    (await db.query.selectFrom('development_topics').select(['development_id', 'topic', 'sys_from', 'sys_to']).orderBy('development_id').orderBy('topic').orderBy('sys_from').execute()).map(
      (row) => [row.development_id, row.topic, Number(row.sys_from), Number(row.sys_to) === Number(FOREVER) ? 'forever' : Number(row.sys_to)],
    );

  it('closes the current versions whose whole key matches at T and inserts the next ones current from T', async () => {
    await db.write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 10, { insert: [{ development_id: 'a', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }, { development_id: 'a', topic: 'y', topic_key: 'y', known_from: 2, known_to: FOREVER }, { development_id: 'b', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }] }));
    await db.write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 20, { close: { development_id: 'a', known_from: [1] }, insert: [{ development_id: 'a', topic: 'z', topic_key: 'z', known_from: 3, known_to: FOREVER }] }));

    expect(await topics()).toEqual([
      ['a', 'x', 10, 20],
      ['a', 'y', 10, 'forever'],
      ['a', 'z', 20, 'forever'],
      ['b', 'x', 10, 'forever'],
    ]);
  });

  it('closes nothing for an empty list of key values, and inserts nothing for no rows', async () => {
    await db.write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 10, { insert: [{ development_id: 'a', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }] }));
    await db.write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 20, { close: { development_id: 'a', known_from: [] }, insert: [] }));

    expect(await topics()).toEqual([['a', 'x', 10, 'forever']]);
  });

  it('closes and reinserts the same key in one step, leaving one current version', async () => {
    await db.write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 10, { insert: [{ development_id: 'a', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }] }));
    await db.write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 20, { close: { development_id: 'a', known_from: 1 }, insert: [{ development_id: 'a', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }] }));

    expect(await topics()).toEqual([
      ['a', 'x', 10, 20],
      ['a', 'x', 20, 'forever'],
    ]);
  });

  it('reads the current version of one thing, and throws when it has none', async () => {
    await expect(db.write((trx) => currentVersion(trx, CLAIM_VERSIONS, { claim_id: 'nothing' }, ['claim_id']))).rejects.toThrow();
  });
});
