import 'reflect-metadata';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { AuditTree } from '../audit/audit-tree';
import { ImportClock, ImportRefusedError, importLog } from '../audit/log-import';
import { exportLog } from '../audit/log-export';
import { replayLog } from '../application/audit/log-replay';
import { leafRangeChecker } from '../audit/verify/leaf-range-workers';
import { verifyLog, workersFailed } from '../audit/verify/log-verifier';
import { toHex } from '../audit/merkle/merkle-hash';
import { fileLines } from '../audit/ndjson-file';
import { loadSigningKey } from '../audit/signing-key';
import { TreeHeadSigner } from '../audit/tree-head.signer';
import { SQLITE_FILE, StorageAccess, withStorage } from '../bootstrap/open-storage';
import { BackupOverStoreError, BackupTargetExistsError, backupSqlite } from '../database/sqlite-backup';
import { parseTopicList } from '../domain/knowledge/topics';
import { axisBoundMs, instantText, requireReportedTime } from '../domain/shared/time';
import { ConfigError, loadConfig } from '../platform/app-config';
import { systemClock } from '../platform/clock';
import { createProjections } from '../projections/projection-registry';
import { KnowledgeQueries } from '../projections/knowledge/knowledge.queries';
import { catchUp } from './catch-up';
import { messageOf } from '../platform/error-message';

const USAGE = `usage: npm run cli -- <command>
  verify                                   recompute every leaf from the store and compare with the stored tree
  replay [--asOf T] [--recordedAsOf T] [--topic X[,Y]]
                                           fold the raw log to the knowledge view and compare with the read model
  export [--out FILE]                      the log as NDJSON with leaf hashes and a signed tree head (stdout by default)
  import FILE [--public-key BASE64]        load an export into an empty store, verifying it first
  backup FILE [--force]                    an online copy of the embedded store (timeline.sqlite) while the server runs
The store is the one the environment configures (TIMELINE_EVENT_STORE, TIMELINE_DATA_DIR, DATABASE_URL).
verify, replay, export and backup run beside a server on the same data dir; import, which appends,
needs the data dir to itself (it is refused while a server holds it).
Exit codes: 0 ok, 1 the check failed or the import was refused, 2 usage or configuration error.`;

class UsageError extends Error {}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** `npm run cli -- verify | replay | export | import | backup`: the auditor's and operator's commands, on the configured store, no server needed. */
async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      asOf: { type: 'string' },
      recordedAsOf: { type: 'string' },
      topic: { type: 'string' },
      out: { type: 'string' },
      'public-key': { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, file] = positionals;
  if (values.help || !command) throw new UsageError('');
  const config = loadConfig({ ...process.env, TIMELINE_SEED: 'none' });
  switch (command) {
    case 'verify':
      return withStorage(config, systemClock, BESIDE_SERVER, async (storage) => {
        const running = await catchUp(storage, createProjections(['audit']));
        const workers = leafRangeChecker(storage.leafRanges, config.verifyThreads);
        try {
          const onWorkersFailed = (error: unknown) => process.stderr.write(`${workersFailed(error)}\n`);
          const report = await verifyLog(storage.eventStore, new AuditTree(storage.readModel), { workers, onWorkersFailed });
          print(report);
          return report.ok ? 0 : 1;
        } finally {
          await workers?.close();
          await running.stop();
        }
      });
    case 'replay':
      return withStorage(config, systemClock, BESIDE_SERVER, async (storage) => {
        const running = await catchUp(storage, createProjections(['knowledge']));
        try {
          const now = systemClock.now();
          const bound = (value: string | undefined, option: string) => (value === undefined ? now : axisBoundMs(requireReportedTime(value, option)));
          const at = { asOfMs: bound(values.asOf, '--asOf'), recordedAsOfMs: bound(values.recordedAsOf, '--recordedAsOf') };
          const replay = await replayLog(storage.eventStore, new KnowledgeQueries(storage.readModel), async () => undefined, at, { topics: topicsOption(values.topic) });
          print({ asOf: instantText(at.asOfMs), recordedAsOf: instantText(at.recordedAsOfMs), ...replay });
          return replay.matchesReadModel ? 0 : 1;
        } finally {
          await running.stop();
        }
      });
    case 'export':
      return withStorage(config, systemClock, BESIDE_SERVER, async (storage) => {
        const running = await catchUp(storage, createProjections(['audit']));
        try {
          const signer = new TreeHeadSigner(loadSigningKey(config), systemClock);
          const lines = Readable.from(exportLog(storage.eventStore, new AuditTree(storage.readModel), signer));
          await pipeline(lines, values.out ? createWriteStream(values.out) : process.stdout);
          return 0;
        } finally {
          await running.stop();
        }
      });
    case 'import': {
      if (!file) throw new UsageError('import needs the export file');
      if (config.eventStore === 'kurrentdb') throw new UsageError('import needs a SQL event store (sqlite or postgres): KurrentDB assigns its own positions and times');
      const clock = new ImportClock();
      return withStorage(config, clock, {}, async (storage) => {
        const verification = await importLog(() => fileLines(file), storage.eventStore, clock, { trustedPublicKey: values['public-key'] });
        const running = await catchUp(storage, createProjections(['audit']));
        try {
          const tree = new AuditTree(storage.readModel);
          const size = await tree.size();
          const rootHash = toHex(await tree.root(size));
          const matches = size === verification.treeHead?.treeSize && rootHash === verification.treeHead.rootHash;
          print({ imported: verification.events, treeSize: size, rootHash, matchesSignedHead: matches });
          return matches ? 0 : 1;
        } finally {
          await running.stop();
        }
      });
    }
    case 'backup': {
      if (!file) throw new UsageError('backup needs the file to write');
      if (config.eventStore === 'postgres') throw new ConfigError('TIMELINE_EVENT_STORE', 'backup copies the embedded store only; back up PostgreSQL with pg_dump');
      if (config.eventStore === 'kurrentdb') throw new ConfigError('TIMELINE_EVENT_STORE', "backup copies the embedded store only; use KurrentDB's backup and pg_dump");
      const source = join(config.dataDir, SQLITE_FILE);
      if (!existsSync(source)) throw new ConfigError('TIMELINE_DATA_DIR', `no store to back up in ${config.dataDir}`);
      const { pages } = await backupSqlite(source, file, { overwrite: values.force });
      print({ backup: file, pages });
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** Appends nothing, so it may run beside the server that holds the data dir's lock. */
const BESIDE_SERVER: StorageAccess = { lockDataDir: false };

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = messageOf(error);
    if (error instanceof UsageError) {
      process.stderr.write(`${message ? `timeline: ${message}\n` : ''}${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`timeline: configuration error: ${message}\n`);
      process.exit(2);
    }
    if (error instanceof BackupTargetExistsError || error instanceof BackupOverStoreError) {
      process.stderr.write(`timeline backup: refused: ${message}\n`);
      process.exit(1);
    }
    if (error instanceof ImportRefusedError) {
      process.stderr.write(`timeline import: refused: ${message}\n`);
      process.exit(1);
    }
    process.stderr.write(`timeline: ${message}\n`);
    process.exit(1);
  },
);

/** `--topic a,b`: any of them, as `topic=a,b` on the API. */
function topicsOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const topics = parseTopicList(value);
  if (!topics) throw new UsageError('--topic must be 1 to 20 comma-separated topics, each of 1 to 200 characters');
  return topics;
}
