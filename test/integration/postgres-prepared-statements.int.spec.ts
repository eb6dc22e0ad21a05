import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { withPreparedStatements } from '../../src/database/postgres-prepared-statements';
import { TEST_DATABASE_URL, describeWithPostgres } from '../support/postgres';

describeWithPostgres('kysely on PostgreSQL with prepared statements', () => {
  let pool: Pool;
  let db: Kysely<unknown>;

  beforeEach(() => {
    // One connection, so every query below sees the same session's prepared statements.
    pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    db = new Kysely({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
  });

  afterEach(async () => {
    await db.destroy();
  });

  const prepared = async () =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements order by prepare_time`.execute(db)).rows.map((row) => row.statement);

  it('prepares each parameterised query text once per connection and answers it every time', async () => {
    const answers: number[] = [];
    for (const n of [1, 2, 3]) answers.push((await sql<{ n: number }>`select ${n}::int + 1 as n`.execute(db)).rows[0].n);
    await sql`select ${'x'}::text as other`.execute(db);

    expect(answers).toEqual([2, 3, 4]);
    expect(await prepared()).toEqual(['select $1::int + 1 as n', 'select $1::text as other']);
  });

  it('runs writes unprepared: a batch insert comes in as many texts as row counts', async () => {
    await sql`create temporary table written (n int)`.execute(db);
    for (const rows of [1, 2, 3]) await db.insertInto('written' as never).values(Array.from({ length: rows }, (_, n) => ({ n })) as never).execute();
    await sql`update written set n = ${7} where n = ${0}`.execute(db);

    expect((await sql<{ count: string }>`select count(*) from written where n = ${7}`.execute(db)).rows[0].count).toBe('3');
    expect(await prepared()).toEqual(['select count(*) from written where n = $1']);
  });

  it('runs queries without parameters, and transactions, unprepared', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await sql`select ${1}::int`.execute(trx);
    });

    expect(await prepared()).toEqual(['select $1::int']);
  });
});
