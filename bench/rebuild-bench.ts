import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { SQLITE_FILE, openStorage, type Storage } from '../src/bootstrap/open-storage';
import { openConnection } from '../src/database/sqlite-database';
import { systemClock } from '../src/platform/clock';
import { KNOWLEDGE_TABLES, KnowledgeProjection } from '../src/projections/knowledge/knowledge.projection';
import { ProjectionRunner } from '../src/projections/projection-runner';
import { readModelRows, rowsDigest } from '../test/support/read-model-rows';
import { DatasetGenerator } from './dataset';
import { RunResources, numberEnv } from './harness';
import { type StoreChoice, loadDataset, readWholeLog, storageConfig } from './knowledge-bench';
import { BENCH_DATABASE_URL, createBenchSchema, probePostgres } from './postgres';
import { fmtInt, fmtNum, median, once, table, yieldToEventLoop } from './stats';

/**
 * Projection rebuild against a raw read of the log (section 3 of `run.ts`), for iterating on the
 * rebuild: the data set of a knowledge level is loaded once per store, then in every round (order
 * rotating) `readAll` in pages of 1000 and a rebuild from position 0 (a fresh `ProjectionRunner` +
 * `KnowledgeProjection` on an empty read model, timed from `start()` until its checkpoint is the
 * head) take turns; round 0 is a warm-up and not counted. After each rebuild every row of the read
 * model is read back: all rebuilds must give the same rows.
 *
 * On SQLite a third contestant, "the rows alone", is the floor of any rebuild that writes these rows
 * with their indexes in place: the rows the first rebuild left, inserted with plain better-sqlite3
 * into an empty file of the same tables and indexes (FTS5 included), on a connection set up as the
 * store's are, in as many transactions as that rebuild committed (each table's rows spread evenly
 * over them). It reads no event, supersedes nothing and derives nothing: such a rebuild can only be
 * slower. (One that built its secondary indexes after loading is not bounded by it.)
 *
 * Standalone: `npx ts-node --transpile-only bench/rebuild-bench.ts`, with
 *   BENCH_REBUILD_CLAIMS     claims of the SQLite level (default 20,000; 0 skips SQLite)
 *   BENCH_REBUILD_PG_CLAIMS  claims of the PostgreSQL level (default 10,000)
 *   BENCH_REBUILD_ROUNDS     measured rounds (default 5), after a warm-up round
 *   BENCH_REBUILD_BASELINE   a git ref (e.g. `main`): its src/ and migrations/ also rebuild in every
 *                            round (its own storage, runner and projection), and its rows must equal this tree's
 *   BENCH_REBUILD_FLOOR_COMMITS  transactions the floor inserts the rows in (default: as many as the rebuild committed)
 *   BENCH_REBUILD_FLOOR_INDEXES  `after`: the floor creates the tables' secondary indexes after its inserts (timed, in one
 *                            more transaction), not before: what a rebuild that built them at the end would meet
 *   BENCH_REBUILD_CPU_PROFILE  a directory: V8 CPU profiles (what `node --cpu-prof` writes) of the warm-up round's
 *                            contestants, `<store>-<contestant>.cpuprofile`
 *   BENCH_POSTGRES=0, BENCH_DATABASE_URL, BENCH_DIR, BENCH_SEED as for run.ts
 * Exit codes: 0 done, 1 error or rows that differ.
 */

const DEFAULT_SEED = 20241018;
const claims = numberEnv('BENCH_REBUILD_CLAIMS', 20_000, (v) => Number.isInteger(v) && (v === 0 || v >= 100));
const pgClaims = numberEnv('BENCH_REBUILD_PG_CLAIMS', 10_000, (v) => Number.isInteger(v) && v >= 100);
const rounds = numberEnv('BENCH_REBUILD_ROUNDS', 5, (v) => Number.isInteger(v) && v >= 1);
const seed = numberEnv('BENCH_SEED', DEFAULT_SEED, (v) => Number.isInteger(v) && v >= 0);
const baselineRef = process.env.BENCH_REBUILD_BASELINE || undefined;
const indexesAfter = process.env.BENCH_REBUILD_FLOOR_INDEXES === 'after';
const floorCommits = process.env.BENCH_REBUILD_FLOOR_COMMITS ? numberEnv('BENCH_REBUILD_FLOOR_COMMITS', 1, (v) => Number.isInteger(v) && v >= 1) : undefined;
const profileDir = process.env.BENCH_REBUILD_CPU_PROFILE ? resolve(process.env.BENCH_REBUILD_CPU_PROFILE) : undefined;
const postgresWanted = process.env.BENCH_POSTGRES !== '0';
const parentDir = resolve(process.env.BENCH_DIR || tmpdir());

const startedAt = Date.now();
const log = (line: string) => process.stderr.write(`[rebuild ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const resources = new RunResources(log);

/** The code a rebuild runs: this tree's, or the baseline ref's (its own storage, runner and projection). */
type Code = Readonly<{
  name: string;
  openStorage: typeof openStorage;
  ProjectionRunner: typeof ProjectionRunner;
  KnowledgeProjection: typeof KnowledgeProjection;
}>;

const thisTree: Code = { name: 'rebuild', openStorage, ProjectionRunner, KnowledgeProjection };

/** The baseline ref's src/ and migrations/, extracted under bench/results (inside the repository, so its imports resolve to our node_modules). */
function baselineCode(ref: string): Code {
  const root = resolve(__dirname, '..');
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(root, 'bench', 'results', `baseline-${commit.slice(0, 12)}`);
  if (!existsSync(join(dir, 'src'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} src migrations | tar -x -C '${dir}'`], { cwd: root });
  }
  log(`baseline: ${ref} = ${commit.slice(0, 12)}, extracted in ${dir}`);
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    name: `baseline ${ref}`,
    openStorage: require(join(dir, 'src/bootstrap/open-storage')).openStorage,
    ProjectionRunner: require(join(dir, 'src/projections/projection-runner')).ProjectionRunner,
    KnowledgeProjection: require(join(dir, 'src/projections/knowledge/knowledge.projection')).KnowledgeProjection,
  };
}

/** A level's store, loaded once: fresh read models to rebuild into, and the log to read raw. */
type Level = Readonly<{
  store: StoreChoice['kind'];
  events: number;
  /** A storage on the loaded log, for the raw reads. */
  raw: Storage;
  /** `code`'s storage on the same log with an empty knowledge read model. */
  fresh(code: Code, round: number): Promise<Storage>;
  /** Done with a storage from `fresh`. */
  discard(storage: Storage): Promise<void>;
  /** SQLite: what a rebuilt storage from `fresh` holds, and an insert of it alone (the floor). */
  floor?: Readonly<{ capture(storage: Storage): RebuiltRows; insert(rows: RebuiltRows, round: number): number }>;
}>;

/** The knowledge read model a rebuild left: its schema, its rows in rowid order, and the transactions to insert them in (the rebuild's, unless BENCH_REBUILD_FLOOR_COMMITS). */
type RebuiltRows = Readonly<{
  schema: readonly string[];
  tables: readonly Readonly<{ name: string; columns: readonly string[]; rows: readonly unknown[][] }>[];
  commits: number;
}>;

const FLOOR = 'the rows alone';

/** The rebuilt tables' schema and rows, read from the file under `storage` (open: WAL lets a second connection read). */
function captureRows(file: string, storage: Storage): RebuiltRows {
  const commits = (storage.readModel as { commitStats?: { transactions: number } }).commitStats?.transactions ?? 0;
  if (commits < 1) throw new Error('the rebuild committed no read-model transaction');
  const db = openConnection(file, { readonly: true });
  try {
    const names = [...KNOWLEDGE_TABLES, 'projection_checkpoints'];
    // The tables, their indexes and the FTS5 tables, not FTS5's own shadow tables (the virtual table makes them).
    const schema = (
      db
        .prepare(`SELECT sql FROM sqlite_master WHERE tbl_name IN (${names.map(() => '?').join(', ')}) AND sql IS NOT NULL ORDER BY type DESC, name`)
        .all(...names) as { sql: string }[]
    ).map((row) => row.sql);
    const tables = names.map((name) => {
      const statement = db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).raw(true).safeIntegers(true);
      return { name, columns: statement.columns().map((column) => column.name), rows: statement.all() as unknown[][] };
    });
    return { schema, tables, commits: floorCommits ?? commits };
  } finally {
    db.close();
  }
}

/** `rows` inserted into a new file at `file`, in `rows.commits` transactions; the ms from the first insert to the last commit. */
function insertAlone(file: string, rows: RebuiltRows): number {
  const db = openConnection(file);
  try {
    // CREATE INDEX statements (the tables' own keys and the FTS5 tables come with their CREATE TABLE).
    const isIndex = (statement: string) => /^CREATE (UNIQUE )?INDEX/i.test(statement);
    for (const statement of rows.schema) if (!(indexesAfter && isIndex(statement))) db.exec(statement);
    const inserts = rows.tables.map((table) =>
      db.prepare(`INSERT INTO "${table.name}" (${table.columns.map((column) => `"${column}"`).join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`),
    );
    const commit = db.transaction((part: number) => {
      rows.tables.forEach((table, t) => {
        const from = Math.floor((table.rows.length * part) / rows.commits);
        const to = Math.floor((table.rows.length * (part + 1)) / rows.commits);
        for (let i = from; i < to; i++) inserts[t].run(table.rows[i]);
      });
    });
    const start = performance.now();
    for (let part = 0; part < rows.commits; part++) commit(part);
    if (indexesAfter) db.transaction(() => rows.schema.filter(isIndex).forEach((statement) => db.exec(statement)))();
    const ms = performance.now() - start;
    for (const table of rows.tables) {
      const { count } = db.prepare(`SELECT count(*) AS count FROM "${table.name}"`).get() as { count: number };
      if (count !== table.rows.length) throw new Error(`the floor holds ${count} rows of ${table.name}, the rebuild ${table.rows.length}`);
    }
    return ms;
  } finally {
    db.close();
  }
}

async function sqliteLevel(root: string): Promise<Level> {
  const template = join(root, 'sqlite-template');
  const generator = new DatasetGenerator({ developments: Math.max(1, Math.round(claims / 10)), developmentsPerTopic: 100, sources: 40, seed });
  log(`SQLite: loading ${fmtInt(claims)} claims`);
  await loadDataset({ dir: template, deadline: Infinity, log, track: resources.track }, generator);
  if (existsSync(join(template, `${SQLITE_FILE}-wal`))) throw new Error('the loaded file kept a WAL after its storage closed');
  const raw = await openStorage(storageConfig({ dir: template }), systemClock);
  resources.track('SQLite raw-read storage', once(() => raw.close()));
  const dirs = new Map<Storage, string>();
  return {
    store: 'sqlite',
    events: generator.stats.events,
    raw,
    async fresh(code, round) {
      // A copy of the loaded file, never projected: as section 3 rebuilds.
      const dir = join(root, `sqlite-${round}-${code.name.replace(/\W+/g, '-')}`);
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(template, SQLITE_FILE), join(dir, SQLITE_FILE));
      const storage = await code.openStorage(storageConfig({ dir }), systemClock);
      dirs.set(storage, dir);
      return storage;
    },
    async discard(storage) {
      await storage.close();
      rmSync(dirs.get(storage)!, { recursive: true, force: true });
    },
    floor: {
      capture: (storage) => captureRows(join(dirs.get(storage)!, SQLITE_FILE), storage),
      insert(rows, round) {
        const dir = join(root, `sqlite-${round}-floor`);
        mkdirSync(dir, { recursive: true });
        try {
          return insertAlone(join(dir, SQLITE_FILE), rows);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    },
  };
}

async function postgresLevel(root: string): Promise<Level> {
  const schema = await createBenchSchema(BENCH_DATABASE_URL);
  resources.track(`schema ${schema.schema}`, once(() => schema.drop()));
  const store: StoreChoice = { kind: 'postgres', databaseUrl: schema.url };
  const generator = new DatasetGenerator({ developments: Math.max(1, Math.round(pgClaims / 10)), developmentsPerTopic: 100, sources: 40, seed });
  log(`PostgreSQL: loading ${fmtInt(pgClaims)} claims into schema ${schema.schema}`);
  await loadDataset({ dir: join(root, 'postgres'), store, deadline: Infinity, log, track: resources.track }, generator);
  const raw = await openStorage(storageConfig({ dir: join(root, 'postgres'), store }), systemClock);
  resources.track('PostgreSQL raw-read storage', once(() => raw.close()));
  return {
    store: 'postgres',
    events: generator.stats.events,
    raw,
    async fresh(code) {
      // Emptied as a rebuild after a migration does, with TRUNCATE so no dead rows are left behind.
      await sql`truncate table ${sql.join(KNOWLEDGE_TABLES.map((name) => sql.table(name)))}`.execute(raw.readModel.query);
      await raw.readModel.query.deleteFrom('projection_checkpoints').execute();
      return code.openStorage(storageConfig({ dir: join(root, 'postgres'), store }), systemClock);
    },
    discard: (storage) => storage.close(),
  };
}

/** Runs `body`, under the CPU profiler when `file` is given. */
async function profiled<T>(file: string | undefined, body: () => Promise<T>): Promise<T> {
  if (!file) return body();
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<any>((done, fail) => session.post(method, (error, result) => (error ? fail(error) : done(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    mkdirSync(profileDir!, { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    log(`  profile written: ${file}`);
  }
}

/** A rebuild from position 0 on a fresh read model (profiled from `start()` to the head, if `profile` names a file); its rows. */
async function rebuildOnce(
  level: Level,
  code: Code,
  round: number,
  profile?: string,
  capture = false,
): Promise<{ ms: number; digest: string; rows: Record<string, string[]>; rebuilt?: RebuiltRows }> {
  const storage = await level.fresh(code, round);
  try {
    const head = await storage.eventStore.headPosition();
    const runner = new code.ProjectionRunner(storage.eventStore, storage.readModel, new code.KnowledgeProjection());
    await yieldToEventLoop();
    const { ms, reached } = await profiled(profile, async () => {
      const start = performance.now();
      await runner.start();
      const reached = await runner.waitFor(head, 30 * 60_000);
      return { ms: performance.now() - start, reached };
    });
    await runner.stop();
    if (!reached) throw new Error(`${code.name} did not reach ${head} (stopped at ${runner.checkpoint})`);
    const rows = await readModelRows(storage.readModel.query, [...KNOWLEDGE_TABLES, 'projection_checkpoints']);
    return { ms, digest: rowsDigest(rows), rows, rebuilt: capture ? level.floor?.capture(storage) : undefined };
  } finally {
    await level.discard(storage);
  }
}

/** The first line where two read models differ, or undefined. */
function firstDifference(a: Record<string, string[]>, b: Record<string, string[]>): string | undefined {
  for (const tableName of Object.keys(a)) {
    const x = a[tableName];
    const y = b[tableName] ?? [];
    const i = x.findIndex((line, index) => line !== y[index]);
    if (i >= 0 || x.length !== y.length) {
      const at = i >= 0 ? i : Math.min(x.length, y.length);
      return `${tableName} row ${at}: ${x[at] ?? '(none)'} vs ${y[at] ?? '(none)'} (${x.length} vs ${y.length} rows)`;
    }
  }
  return undefined;
}

type Figures = Readonly<{
  store: string;
  events: number;
  ms: Record<string, number[]>;
  digests: Record<string, string>;
  differences: string[];
  /** SQLite: the transactions the floor inserted its rows in (the rebuild's, unless BENCH_REBUILD_FLOOR_COMMITS). */
  floorCommits?: number;
}>;

async function measure(level: Level, codes: readonly Code[]): Promise<Figures> {
  // The floor last in round 0: it inserts the rows the first rebuild of this tree leaves.
  const names = ['raw read', ...codes.map((code) => code.name), ...(level.floor ? [FLOOR] : [])];
  let rebuilt: RebuiltRows | undefined;
  const ms: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const digests: Record<string, string> = {};
  const differences: string[] = [];
  let reference: Record<string, string[]> | undefined;
  for (let round = 0; round <= rounds; round++) {
    // Rotate who goes first, so no contestant always runs on a warmer (or busier) machine.
    const order = names.map((_, i) => names[(i + round) % names.length]);
    const times: string[] = [];
    for (const name of order) {
      const profile = round === 0 && profileDir ? join(profileDir, `${level.store}-${name.replace(/\W+/g, '-')}.cpuprofile`) : undefined;
      let elapsed: number;
      if (name === 'raw read') {
        elapsed = await profiled(profile, async () => {
          await yieldToEventLoop();
          const start = performance.now();
          const read = await readWholeLog(level.raw.eventStore);
          if (read !== level.events) throw new Error(`read ${read} events, loaded ${level.events}`);
          return performance.now() - start;
        });
      } else if (name === FLOOR) {
        await yieldToEventLoop();
        elapsed = level.floor!.insert(rebuilt!, round);
      } else {
        const code = codes.find((candidate) => candidate.name === name)!;
        const result = await rebuildOnce(level, code, round, profile, code === thisTree && !rebuilt);
        rebuilt ??= result.rebuilt;
        elapsed = result.ms;
        digests[name] ??= result.digest;
        reference ??= result.rows;
        const difference = firstDifference(reference, result.rows);
        if (difference) differences.push(`${name}, round ${round}: ${difference}`);
      }
      if (round > 0) ms[name].push(elapsed);
      times.push(`${name} ${(elapsed / 1000).toFixed(2)} s`);
    }
    log(`  ${level.store} round ${round}${round === 0 ? ' (warm-up)' : ''}: ${times.join(', ')}`);
  }
  return { store: level.store === 'postgres' ? 'PostgreSQL' : 'SQLite', events: level.events, ms, digests, differences, floorCommits: rebuilt?.commits };
}

const spread = (values: readonly number[], digits = 3) =>
  `${fmtNum(Math.min(...values), digits)} / ${fmtNum(median(values), digits)} / ${fmtNum(Math.max(...values), digits)}`;

function report(figures: readonly Figures[], codes: readonly Code[], skipped?: string): string {
  const out: string[] = ['## Projection rebuild vs raw read', ''];
  out.push(
    `Rounds: ${rounds} measured after a warm-up, order rotating; min / median / max over rounds. ` +
      'A ratio is rebuild events/s ÷ raw read events/s of the same round.',
    '',
  );
  const rows: string[][] = [];
  for (const f of figures) {
    const raw = f.ms['raw read'];
    rows.push([f.store, 'raw read (`readAll`, pages of 1000)', fmtInt(f.events), spread(raw.map((ms) => (f.events / ms) * 1000), 0), '']);
    for (const code of codes) {
      const own = f.ms[code.name];
      rows.push([f.store, code.name, fmtInt(f.events), spread(own.map((ms) => (f.events / ms) * 1000), 0), spread(own.map((ms, i) => raw[i] / ms))]);
    }
    const floor = f.ms[FLOOR];
    if (floor) {
      const name = `${FLOOR}: the rebuilt rows inserted with nothing else, in ${fmtInt(f.floorCommits!)} transaction${f.floorCommits === 1 ? '' : 's'}${floorCommits ? '' : ' (as many as it committed)'}, ${indexesAfter ? 'the secondary indexes created after them' : 'every index in place'}`;
      rows.push([f.store, name, fmtInt(f.events), spread(floor.map((ms) => (f.events / ms) * 1000), 0), spread(floor.map((ms, i) => raw[i] / ms))]);
    }
  }
  out.push(table(['store', 'contestant', 'events', 'events/s (min / median / max)', '÷ raw read, per round (min / median / max)'], rows), '');
  for (const f of figures.filter((measured) => measured.ms[FLOOR])) {
    out.push(`${f.store}: ${codes[0].name} ÷ ${FLOOR}, per round: ${spread(f.ms[codes[0].name].map((ms, i) => f.ms[FLOOR][i] / ms), 2)}.`, '');
  }
  if (codes.length > 1) {
    const [mine, base] = codes;
    for (const f of figures) out.push(`${f.store}: ${mine.name} ÷ ${base.name}, per round: ${spread(f.ms[mine.name].map((ms, i) => f.ms[base.name][i] / ms), 2)}.`);
    out.push('');
  }
  for (const f of figures) {
    out.push(`${f.store} read model after every rebuild: ${f.differences.length === 0 ? 'the same rows' : 'ROWS DIFFER'}; ${Object.entries(f.digests).map(([name, digest]) => `${name} ${digest}`).join('; ')}.`);
    for (const difference of f.differences) out.push(`- ${difference}`);
  }
  if (skipped) out.push(`PostgreSQL: skipped, ${skipped}.`);
  out.push('');
  return out.join('\n');
}

async function main(): Promise<void> {
  mkdirSync(parentDir, { recursive: true });
  const root = (resources.root = mkdtempSync(join(parentDir, 'timeline-rebuild-')));
  const codes = baselineRef ? [thisTree, baselineCode(baselineRef)] : [thisTree];
  const figures: Figures[] = [];
  if (claims > 0) figures.push(await measure(await sqliteLevel(root), codes));
  let skipped: string | undefined = 'BENCH_POSTGRES=0';
  if (postgresWanted) {
    const probe = await probePostgres(BENCH_DATABASE_URL);
    skipped = probe.ok ? undefined : probe.reason;
    if (probe.ok) figures.push(await measure(await postgresLevel(root), codes));
  }
  const markdown = report(figures, codes, skipped);
  process.stdout.write(markdown);
  await resources.cleanup();
  process.exit(figures.some((f) => f.differences.length > 0) ? 1 : 0);
}

const fail = (error: unknown) => {
  process.stderr.write(`rebuild-bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  void resources.cleanup().finally(() => process.exit(1));
};
process.on('SIGINT', () => fail('interrupted'));
process.on('SIGTERM', () => fail('terminated'));
main().catch(fail);
