import { FOREVER } from '../../src/database/schema';
import { CLAIM_VERSIONS, DEVELOPMENT_TOPICS, currentVersion, supersede } from '../../src/projections/knowledge/bitemporal.tables';
import { aSqliteReadModelPerTest } from '../support/sqlite-read-model';

describe('supersede, the one bitemporal step', () => {
  const readModel = aSqliteReadModelPerTest('supersede');

  const topics = async () =>
    (await readModel().query.selectFrom('development_topics').select(['development_id', 'topic', 'sys_from', 'sys_to']).orderBy('development_id').orderBy('topic').orderBy('sys_from').execute()).map(
      (row) => [row.development_id, row.topic, Number(row.sys_from), Number(row.sys_to) === Number(FOREVER) ? 'forever' : Number(row.sys_to)],
    );

  it('closes the current versions whose whole key matches at T and inserts the next ones current from T', async () => {
    await readModel().write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 10, { insert: [{ development_id: 'a', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }, { development_id: 'a', topic: 'y', topic_key: 'y', known_from: 2, known_to: FOREVER }, { development_id: 'b', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }] }));
    await readModel().write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 20, { close: { development_id: 'a', known_from: [1] }, insert: [{ development_id: 'a', topic: 'z', topic_key: 'z', known_from: 3, known_to: FOREVER }] }));

    expect(await topics()).toEqual([
      ['a', 'x', 10, 20],
      ['a', 'y', 10, 'forever'],
      ['a', 'z', 20, 'forever'],
      ['b', 'x', 10, 'forever'],
    ]);
  });

  it('closes nothing for an empty list of key values, and inserts nothing for no rows', async () => {
    await readModel().write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 10, { insert: [{ development_id: 'a', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }] }));
    await readModel().write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 20, { close: { development_id: 'a', known_from: [] }, insert: [] }));

    expect(await topics()).toEqual([['a', 'x', 10, 'forever']]);
  });

  it('closes and reinserts the same key in one step, leaving one current version', async () => {
    await readModel().write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 10, { insert: [{ development_id: 'a', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }] }));
    await readModel().write((trx) => supersede(trx, DEVELOPMENT_TOPICS, 20, { close: { development_id: 'a', known_from: 1 }, insert: [{ development_id: 'a', topic: 'x', topic_key: 'x', known_from: 1, known_to: FOREVER }] }));

    expect(await topics()).toEqual([
      ['a', 'x', 10, 20],
      ['a', 'x', 20, 'forever'],
    ]);
  });

  it('reads the current version of one thing, and throws when it has none', async () => {
    await expect(readModel().write((trx) => currentVersion(trx, CLAIM_VERSIONS, { claim_id: 'nothing' }, ['claim_id']))).rejects.toThrow();
  });
});
