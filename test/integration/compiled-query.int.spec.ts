import { Kysely } from 'kysely';
import { insertRows, runCompiled } from '../../src/database/compiled-query';
import { ReadModelSchema } from '../../src/database/schema';
import { aSqliteReadModelPerTest } from '../support/sqlite-read-model';

describe('statements compiled once, on SQLite', () => {
  const readModel = aSqliteReadModelPerTest('writes');

  it('runs a compiled statement again with new parameters, and refuses parameters that do not follow its text', async () => {
    const sources = (trx: Kysely<ReadModelSchema>, id: string) =>
      runCompiled(trx, 'test source by id', () => trx.selectFrom('sources').select('source_id').where('source_id', '=', id).where('position', '>', 0), [id, 0]);
    await readModel().write(async (trx) => {
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
    await readModel().write((trx) =>
      insertRows(trx, 'status_segments', [
        { development_id: 'd', known_from: 1, known_to: 2, sys_from: 1, sys_to: 9, status: 'reported', summary: '{}', known_from_text: 'x', first_reported_at: 'x', last_reported_at: 'x', cause_position: 1 },
        { development_id: 'd', known_from: 2, known_to: 3, sys_from: 1, sys_to: 9, status: 'confirmed', previous_status: 'reported', summary: '{}', known_from_text: 'y', first_reported_at: 'x', last_reported_at: 'y', cause_position: 2 },
        { development_id: 'd', known_from: 3, known_to: 4, sys_from: 1, sys_to: 9, status: 'confirmed', previous_status: undefined, summary: '{}', known_from_text: 'z', first_reported_at: 'x', last_reported_at: 'z', cause_position: 3 },
      ]),
    );
    const rows = await readModel().query.selectFrom('status_segments').select(['known_from', 'previous_status']).orderBy('known_from').execute();
    expect(rows).toEqual([
      { known_from: 1, previous_status: null },
      { known_from: 2, previous_status: 'reported' },
      { known_from: 3, previous_status: null },
    ]);
  });

  it("runs the writer's compiled statements on its connection, with what kysely's driver gives", async () => {
    const results = await readModel().write(async (trx) => {
      const executed = jest.spyOn(trx, 'executeQuery');
      await insertRows(trx, 'sources', [
        { source_id: 'a', profile: '{}', position: 1, sys_from: 1 },
        { source_id: 'b', profile: '{}', position: 2, sys_from: 1 },
      ]);
      const moved = () => trx.updateTable('sources').set({ sys_from: 2 }).where('position', '>', 0);
      const direct = await runCompiled(trx, 'test sources moved', moved, [2, 0]);
      const selected = await runCompiled(trx, 'test sources', () => trx.selectFrom('sources').select(['source_id', 'sys_from']).orderBy('source_id'), []);
      const throughKysely = executed.mock.calls.length;
      const built = await moved().executeTakeFirstOrThrow();
      return { direct, selected, built, throughKysely };
    });
    expect(results.throughKysely).toBe(0);
    expect(results.direct.numAffectedRows).toBe(2n);
    expect(results.built.numUpdatedRows).toBe(2n);
    expect(results.selected.rows).toEqual([
      { source_id: 'a', sys_from: 2 },
      { source_id: 'b', sys_from: 2 },
    ]);
  });

  it("undoes the writer's direct statements with the transaction they ran in, and refuses them once it has ended", async () => {
    let ended: Kysely<ReadModelSchema> | undefined;
    await expect(
      readModel().write(async (trx) => {
        ended = trx;
        await insertRows(trx, 'sources', [{ source_id: 'a', profile: '{}', position: 1, sys_from: 1 }]);
        throw new Error('the section fails');
      }),
    ).rejects.toThrow('the section fails');

    expect(await readModel().query.selectFrom('sources').selectAll().execute()).toEqual([]);
    await expect(insertRows(ended!, 'sources', [{ source_id: 'b', profile: '{}', position: 2, sys_from: 1 }])).rejects.toThrow(/no transaction is open/);
    expect(await readModel().query.selectFrom('sources').selectAll().execute()).toEqual([]);
  });
});
