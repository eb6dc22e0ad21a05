import { cpus, totalmem } from 'node:os';
import { fmtInt, fmtNum, median, table } from '../stats';
import { STREAM_LENGTH, SystemName } from './peer-system';
import type { WorkerReply } from './peer-worker';

export const PHASES = ['append-1', 'append-8', 'log-read', 'stream-read', 'rebuild'] as const;
export type Phase = (typeof PHASES)[number];

/** A phase that threw, with the first line of its error. */
export type PhaseFailure = Readonly<{ error: string }>;
export type PhaseOutcome = WorkerReply | PhaseFailure;

/** Everything a run measured and saw, for the report. */
export type PeerRun = {
  scale: number;
  rounds: number;
  seed: number;
  sizes: Readonly<{ logEvents: number; seedEventsPerAppend: number; appendSeconds: number; append1: number; append8: number; count1: number; count8: number }>;
  root: string;
  /** Mean bytes of data + metadata JSON per event. */
  eventBytes: number;
  startedAt: Date;
  postgres?: string;
  systems: SystemName[];
  skipped: Map<SystemName, string>;
  facts: Map<SystemName, string[]>;
  files: Map<SystemName, string[]>;
  seeding: Map<SystemName, WorkerReply>;
  /** By `<system> <phase>`: one outcome per measured round. */
  results: Map<string, PhaseOutcome[]>;
  /** By `<system> <writers>`: fsyncs and fdatasyncs of the system's own files during the counting pass. */
  fsyncs: Map<string, { appended: number; total: number; byFile: [string, number][] }>;
  fsyncsUnavailable?: string;
  /** By `<system> <writers>`: transactions that wrote the counting pass's events. */
  commits: Map<string, { appended: number; commits: number }>;
  countErrors: Map<string, string>;
  console: Map<SystemName, { lines: number; first: string }>;
  wallMs: number;
  reproduce: string;
};

const LABELS: Record<Phase, string> = {
  'append-1': 'append, 1 writer (events/s)',
  'append-8': 'append, 8 writers (events/s)',
  'log-read': 'log read, whole log (events/s)',
  'stream-read': `stream reads (streams/s, ${STREAM_LENGTH} events each)`,
  rebuild: 'rebuild, count per stream (events/s)',
};

const isError = (outcome: PhaseOutcome): outcome is PhaseFailure => 'error' in outcome;

/** The phase's rate in one round, or undefined when it failed (an error, or a refused append). */
function rate(run: PeerRun, phase: Phase, outcome: PhaseOutcome): number | undefined {
  if (isError(outcome) || (outcome.failed ?? 0) > 0) return undefined;
  const seconds = outcome.ms / 1000;
  switch (phase) {
    case 'stream-read':
      return (outcome.streams ?? 0) / seconds;
    case 'rebuild':
      return run.sizes.logEvents / seconds;
    default:
      return outcome.events / seconds;
  }
}

/** Whole numbers, with one decimal below 10 (a store that stores a handful of events a second). */
const fmtRate = (value: number): string => (value < 10 ? fmtNum(value, 1) : fmtInt(value));

const spread = (values: readonly number[], format: (v: number) => string): string =>
  values.length === 0 ? 'n/a' : `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;

/** A cell: median (min–max) of the rounds, or what failed. */
function cell(run: PeerRun, system: SystemName | undefined, phase: Phase): string {
  if (!system) return '—';
  const skipped = run.skipped.get(system);
  if (skipped) return `not run: ${skipped}`;
  const outcomes = run.results.get(`${system} ${phase}`) ?? [];
  const errors = outcomes.filter(isError);
  if (errors.length > 0) return `FAILED in ${errors.length}/${outcomes.length} rounds: ${errors[0].error}`;
  const stopped = outcomes.filter((o) => !isError(o) && o.stoppedEarly).length;
  const limit = stopped > 0 ? `; stopped at the ${run.sizes.appendSeconds} s limit in ${stopped}/${outcomes.length} rounds` : '';
  const refused = outcomes.filter((o): o is WorkerReply => !isError(o) && (o.failed ?? 0) > 0);
  if (refused.length > 0) {
    const failed = refused.reduce((sum, o) => sum + (o.failed ?? 0), 0);
    const tried = refused.reduce((sum, o) => sum + (o.failed ?? 0) + o.events, 0);
    const stored = refused.map((o) => o.events / (o.ms / 1000));
    return `FAILED in ${refused.length}/${outcomes.length} rounds: ${fmtInt(failed)} of ${fmtInt(tried)} appends refused (\`${refused[0].firstError ?? '?'}\`); the others stored at ${spread(stored, fmtRate)}/s${limit}`;
  }
  return `${spread(
    outcomes.map((o) => rate(run, phase, o)!),
    fmtRate,
  )}${limit}`;
}

/** Median (min–max) over the rounds where both succeeded of a's rate ÷ b's. */
function ratio(run: PeerRun, a: SystemName | undefined, b: SystemName | undefined, phase: Phase): string {
  if (!a || !b) return '—';
  const as = run.results.get(`${a} ${phase}`) ?? [];
  const bs = run.results.get(`${b} ${phase}`) ?? [];
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = rate(run, phase, as[i]);
    const y = rate(run, phase, bs[i]);
    if (x !== undefined && y !== undefined) ratios.push(x / y);
  }
  return ratios.length === 0 ? 'n/a' : `${spread(ratios, (v) => fmtNum(v))}${ratios.length < as.length ? ` (${ratios.length} rounds)` : ''}`;
}

function perAppend(run: PeerRun, system: SystemName | undefined, writers: number, backend: 'sqlite' | 'postgres'): string {
  if (!system) return '—';
  const key = `${system} ${writers}`;
  if (run.countErrors.has(key)) return 'not counted';
  const counted = backend === 'sqlite' ? run.fsyncs.get(key) : run.commits.get(key);
  if (!counted || counted.appended === 0) return 'n/a';
  const events = 'total' in counted ? counted.total : counted.commits;
  const asked = writers === 1 ? run.sizes.count1 : run.sizes.count8;
  return `${fmtNum(events / counted.appended)}${counted.appended < asked ? ` (of ${fmtInt(counted.appended)} appends)` : ''}`;
}

function backendTable(run: PeerRun, backend: 'sqlite' | 'postgres'): string {
  const present = (name: SystemName) => (run.systems.includes(name) || run.skipped.has(name) ? name : undefined);
  const timeline = present(`timeline-${backend}`);
  const emmett = present(`emmett-${backend}`);
  const raw = present(`raw-${backend}`);
  const counted = backend === 'sqlite' ? 'fsyncs per append' : 'commits per append';
  const rows = PHASES.map((phase) => {
    const writers = phase === 'append-1' ? 1 : phase === 'append-8' ? 8 : undefined;
    return [
      LABELS[phase],
      cell(run, timeline, phase),
      cell(run, emmett, phase),
      cell(run, raw, phase),
      ratio(run, timeline, raw, phase),
      ratio(run, timeline, emmett, phase),
      writers === undefined ? '' : [timeline, emmett, raw].map((system) => perAppend(run, system, writers, backend)).join(' / '),
    ];
  });
  return table(
    ['workload', 'Timeline', 'Emmett', backend === 'sqlite' ? 'raw better-sqlite3' : 'raw pg', 'Timeline ÷ raw', 'Timeline ÷ Emmett', `${counted} (Timeline / Emmett / raw)`],
    rows,
  );
}

/** Rounds whose reads or rebuild did not return exactly the seeded log. */
function checks(run: PeerRun): string[] {
  const expectedStreams = run.sizes.logEvents / STREAM_LENGTH;
  const lines: string[] = [];
  for (const system of run.systems) {
    if (run.skipped.has(system)) continue;
    const reads = (run.results.get(`${system} log-read`) ?? []).filter((o): o is WorkerReply => !isError(o));
    const wrongReads = reads.filter((o) => o.events !== run.sizes.logEvents);
    const streams = (run.results.get(`${system} stream-read`) ?? []).filter((o): o is WorkerReply => !isError(o));
    const wrongStreams = streams.filter((o) => o.events !== run.sizes.logEvents);
    const rebuilds = (run.results.get(`${system} rebuild`) ?? []).filter((o): o is WorkerReply => !isError(o));
    const wrongRebuilds = rebuilds.filter(
      (o) => !o.counts || o.counts.events !== run.sizes.logEvents || o.counts.streams !== expectedStreams || o.counts.streamsNotAtLength > 0,
    );
    const parts: string[] = [];
    parts.push(
      wrongReads.length === 0
        ? `log read ${fmtInt(run.sizes.logEvents)} events in ${reads.length}/${reads.length} rounds`
        : `log read returned ${wrongReads.map((o) => fmtInt(o.events)).join(', ')} events instead of ${fmtInt(run.sizes.logEvents)} in ${wrongReads.length}/${reads.length} rounds`,
    );
    if (wrongStreams.length > 0) parts.push(`stream reads returned ${wrongStreams.map((o) => fmtInt(o.events)).join(', ')} events instead of ${fmtInt(run.sizes.logEvents)}`);
    parts.push(
      wrongRebuilds.length === 0
        ? `rebuild counted every event of every stream in ${rebuilds.length}/${rebuilds.length} rounds`
        : `rebuild WRONG in ${wrongRebuilds.length}/${rebuilds.length} rounds: ${[
            ...new Set(
              wrongRebuilds.map(
                (o) =>
                  `${fmtInt(o.counts?.events ?? 0)} events counted (${fmtNum((100 * (run.sizes.logEvents - (o.counts?.events ?? 0))) / run.sizes.logEvents, 1)} % missing), ` +
                  `${o.counts?.streamsNotAtLength ?? '?'} of ${fmtInt(expectedStreams)} streams not at ${STREAM_LENGTH}` +
                  (o.counts?.behindEarlier === undefined ? '' : `; messages whose position is below one its reads return before them: ${fmtInt(o.counts.behindEarlier)}`),
              ),
            ),
          ].join('; ')}`,
    );
    lines.push(`- ${system}: ${parts.join('; ')}.`);
  }
  return lines;
}

function facts(run: PeerRun): string[] {
  const lines: string[] = [];
  for (const system of run.systems) {
    const seeded = run.seeding.get(system);
    lines.push(
      `- ${system}: ${(run.facts.get(system) ?? []).join(', ') || 'no settings read'}` +
        (seeded ? `; log seeded in ${fmtNum(seeded.ms / 1000, 1)} s${seeded.retries ? ` (${fmtInt(seeded.retries)} busy appends tried again)` : ''}` : ''),
    );
  }
  for (const [system, reason] of run.skipped) if (!run.systems.includes(system)) lines.push(`- ${system}: not run: ${reason}`);
  for (const [key, counted] of run.fsyncs) {
    const byFile = counted.byFile
      .sort((a, b) => b[1] - a[1])
      .map(([file, n]) => `${file.slice(run.root.length + 1)} ${fmtInt(n)}`)
      .join(', ');
    lines.push(`- fsyncs, ${key} writer(s): ${fmtInt(counted.total)} for ${fmtInt(counted.appended)} appends${byFile ? ` (${byFile})` : ''}`);
  }
  for (const [key, counted] of run.commits) lines.push(`- commits, ${key} writer(s): ${fmtInt(counted.commits)} for ${fmtInt(counted.appended)} appends`);
  if (run.fsyncsUnavailable) lines.push(`- fsyncs not counted: ${run.fsyncsUnavailable}`);
  for (const [key, reason] of run.countErrors) lines.push(`- counting ${key} writer(s) failed: ${reason}`);
  for (const [system, printed] of run.console) lines.push(`- ${system} printed ${fmtInt(printed.lines)} lines with console.log (kept off this report); the first: \`${printed.first.replace(/\s+/g, ' ')}\``);
  return lines;
}

/** The report: both tables, the checks, what each system does and what makes a row unfair. */
export function peersReport(run: PeerRun): string {
  const { sizes } = run;
  const out: string[] = [];
  out.push('# Timeline beside Emmett and raw drivers (`npm run bench:peers`)', '');
  out.push(
    `${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${fmtNum(totalmem() / 2 ** 30, 1)} GiB; ` +
      `Node ${process.version}; ${run.postgres ?? 'PostgreSQL not used'}. ${run.rounds} measured rounds after a warm-up round; in every round each workload runs on each system in turn, ` +
      'starting with a different system each time, each system in a worker thread of its own. Figures: median (min–max) over the rounds; ratios are taken within a round, then the median (min–max) of those. ' +
      'The machine may run other work at the same time: read the ratios, not the absolute figures.',
    '',
  );
  out.push(
    `Workload: events of ${fmtInt(run.eventBytes)} bytes of JSON on average (data + metadata), type \`ClaimReported\`. ` +
      `Appends: ${fmtInt(sizes.append1)} by 1 writer, ${fmtInt(sizes.append8)} by 8 concurrent writers, one event per call, each writer to a stream of its own (a new stream every ${STREAM_LENGTH} appends), ` +
      'every call with the expected version of its stream, into a log of its own that the reads never touch. ' +
      `No append starts after ${sizes.appendSeconds} s of a workload. ` +
      `Reads and rebuild: a log of ${fmtInt(sizes.logEvents)} events in ${fmtInt(sizes.logEvents / STREAM_LENGTH)} streams of ${STREAM_LENGTH}, seeded once (not timed), ${sizes.seedEventsPerAppend} events per call, ` +
      'by 8 concurrent writers on PostgreSQL (so commit order and positions can differ, as in use) and by 1 on SQLite (Emmett\'s SQLite store takes seconds per append with 8).',
    '',
  );
  out.push('## SQLite', '', backendTable(run, 'sqlite'), '');
  out.push('## PostgreSQL', '', backendTable(run, 'postgres'), '');
  out.push(
    `fsyncs: fsync + fdatasync calls on the system's own files (strace attached to the bench process) during a separate, untimed pass of ${sizes.count1} appends by 1 writer and ${sizes.count8} by 8 (same time limit). ` +
      "Commits: the transactions that wrote those passes' events on PostgreSQL, counted as the distinct `xmin` of their rows. (`pg_stat_database.xact_commit` of each system's own database was the first choice: " +
      'PostgreSQL 15 here reports an idle backend\'s commits only about 10 s later, and it counts read-only transactions too.)',
    '',
  );
  out.push('## Checks', '', ...checks(run), '');
  out.push('## Settings seen at run time, counts', '', ...facts(run), '');
  out.push('## What each system does', '', ...WHAT_EACH_DOES, '');
  out.push('## What makes a row unfair', '', ...UNFAIR, '');
  out.push('## Reproduce', '', '```sh', run.reproduce, '```', '', `Wall time ${fmtNum(run.wallMs / 1000, 0)} s.`, '');
  return out.join('\n');
}

const WHAT_EACH_DOES = [
  "- **Timeline**: the event store port as the server opens it (`openStorage`, src/bootstrap/open-storage.ts). Appends: `append(stream, [event], 'no-stream' | version)`. " +
    'Log read: `readAll({ after, limit: 1000 })` until a short page. Stream reads: `readStream`. Rebuild: a `ProjectionRunner` (the server\'s) over a projection whose `apply` runs one upsert per event through kysely; ' +
    'it stores its checkpoint in the same transaction once per batch of up to 1,000 (and runs the read model\'s ANALYZE after its first batch, as in the server); timed from `start()` until its checkpoint reaches the head.',
  '- **Emmett** 0.42 (`@event-driven-io/emmett-sqlite` 0.42.4, `@event-driven-io/emmett-postgresql` 0.42.0), set up as its README shows: `getSQLiteEventStore({ fileName })`, `getPostgreSQLEventStore(connectionString)`. ' +
    'Appends: `appendToStream(stream, [event], { expectedStreamVersion })` (0n for a new stream). Log read: `readMessagesBatch({ after, batchSize: 1000 })`, the function its consumers poll with (SQLite: through its connection pool, a connection per batch, as its consumer does). ' +
    'Stream reads: `readStream`. Rebuild, SQLite: `eventStore.consumer({ pulling: { batchSize: 1000, pullingFrequencyInMs: 0 } })` with one `processor({ startFrom: \'BEGINNING\', stopAfter: <head>, eachMessage: <upsert> })`; ' +
    'PostgreSQL: `rebuildPostgreSQLProjections` with a `postgreSQLRawSQLProjection` returning the upsert per event, same pulling. Both apply each batch in one transaction and store a checkpoint after every message; ' +
    'their pullers sleep 100 ms after the first batch, then `pullingFrequencyInMs` (0 here) between batches: that is in the time.',
  '- **raw**: the driver alone on Timeline\'s `events` table (same columns and constraints; on PostgreSQL `position` an identity column). Appends: one INSERT per call in its own transaction (better-sqlite3 `transaction.immediate`; `pg` autocommit), ' +
    'never batched across calls; the expected version is the UNIQUE (stream_id, stream_version) constraint refusing an insert of a version already there. Log read: `SELECT * … WHERE position > ? ORDER BY position LIMIT 1000`, data and metadata `JSON.parse`d. ' +
    'Stream reads: `SELECT * … WHERE stream_id = ? ORDER BY stream_version`, parsed. Rebuild: pages of 1,000 read and parsed, each applied in one transaction: one upsert per event and one checkpoint upsert.',
  `- **Same in all**: the rebuild fills \`peer_counts (stream_id PRIMARY KEY, events)\` with \`INSERT … ON CONFLICT (stream_id) DO UPDATE SET events = events + 1\`, one statement per event, in the same file or database as the log, emptied before each round (not timed). ` +
    'Each system reads what it wrote with its data and metadata parsed into objects.',
];

const UNFAIR = [
  '- **Durability of an acknowledged append.** Timeline (SQLite) and raw better-sqlite3: WAL with `synchronous=FULL`, so the WAL is synced before the commit returns. ' +
    'Emmett\'s SQLite store sets `journal_mode=WAL` on each connection and leaves `synchronous` at the sqlite3 build\'s default (the value seen is under "Settings"; 2 = FULL is as durable as the others). ' +
    'PostgreSQL: all three at the server\'s `synchronous_commit` (none changes it); Emmett and raw commit once per append, Timeline once per batch of appends waiting together. ' +
    'The appends of a workload that reached its time limit count as made; none is acknowledged before it is durable in any system.',
  '- **Group commit.** Timeline shares one transaction (and one fsync or WAL flush) among the appends that arrive while one commits: at 8 writers its fsyncs or commits per append fall below 1. ' +
    'The raw loops never batch across calls (one transaction per append): they are the per-append floor of the driver, not the fastest way to write 8 writers\' events. ' +
    'On SQLite the 8 raw "writers" share one connection and take turns; on PostgreSQL the 8 raw connections commit in parallel and the server may flush several commits\' WAL at once.',
  '- **Emmett SQLite: a connection per call.** Every `appendToStream`, `readStream` and consumer batch opens a new sqlite3 connection and closes it after; closing the last connection checkpoints the WAL into the database file and removes it, ' +
    'which shows in its fsyncs per append (by file under "Settings"). With 8 concurrent writers each on its own connection, appends wait on each other\'s locks (sqlite3\'s default `busy_timeout`, 1,000 ms) and some are refused: ' +
    'its `BEGIN IMMEDIATE` fails with SQLITE_BUSY, which it prints, then the error it throws is its own ROLLBACK\'s "cannot rollback - no transaction is active"; it does not retry. ' +
    'A single shared connection (`connectionOptions.singleton`) would avoid the reopen, but its transactions nest on one connection, so concurrent writers would share a transaction; not measured. Emmett presents this store for development, tests and embedded use.',
  '- **Positions.** Timeline assigns gap-free positions in commit order on both backends (PostgreSQL: under one advisory lock), so a reader that saw position P never later finds a smaller one. ' +
    'Raw PostgreSQL\'s identity and Emmett\'s sequence are assigned at insert, not at commit: neither is gap-free nor commit-ordered. Emmett compensates by reading `transaction_id < pg_snapshot_xmin(pg_current_snapshot())` ordered by (transaction_id, global_position); ' +
    'the raw loop does nothing (its log is read only after all writers stop).',
  '- **Emmett PostgreSQL rebuild.** Its reads return messages in (transaction id, global position) order, and its processor skips every message whose global position is at or below the checkpoint it stored last, taking it for one already handled. ' +
    'When concurrent writers\' transactions take positions in another order than their ids (the seeded log has 8 writers), a later transaction\'s message with a smaller position is skipped: see "Checks" for what each round counted. ' +
    'The count of such messages in the log is under "Checks": it equals the events the rebuild missed. A faster figure from a rebuild that missed events is not a faster rebuild. ' +
    'Its reads also resume after the global position of the last message of a page, which is not the highest one read: a log read can then return a message twice, or miss one (also under "Checks").',
  '- **Stored form.** Timeline writes RFC 8785 canonical JSON text (canonicalised on append); Emmett writes JSON text on SQLite and `jsonb` on PostgreSQL (parsed by the server on insert); raw writes `JSON.stringify` text.',
  '- **Checkpoints.** Timeline and raw store one checkpoint per batch of 1,000; Emmett one per message (its design), in the same transaction.',
];
