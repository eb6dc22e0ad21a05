import 'reflect-metadata';
import Database from 'better-sqlite3';
import { generateKeyPairSync, hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AuditProjection } from '../src/projections/audit.projection';
import { AuditLog } from '../src/application/audit/audit-log';
import { auditLeaf } from '../src/audit/audit-leaf';
import { AuditTree } from '../src/audit/audit-tree';
import { LeafRangeWorkers } from '../src/audit/verify/leaf-range-workers';
import { LEAF_START, nativeHashing } from '../src/audit/verify/range-hashing';
import { VerifyOptions, verifyLog } from '../src/audit/verify/log-verifier';
import { toHex } from '../src/audit/merkle/merkle-hash';
import { consistencyProof, inclusionProof, rootHash } from '../src/audit/merkle/merkle-proofs';
import { TreeHeadSigner } from '../src/audit/tree-head.signer';
import { catchUp } from '../src/cli/catch-up';
import { SQLITE_FILE, Storage, openStorage } from '../src/bootstrap/open-storage';
import { DEFAULT_VERIFY_THREADS } from '../src/platform/app-config';
import { parsedEvent, storedJson } from '../src/event-store/event-store.port';
import { storedEventJsonText } from '../src/event-store/stored-event-json';
import { KnowledgeQueries } from '../src/projections/knowledge/knowledge.queries';
import { fmtInt, fmtMs, fmtRatio, median, percentileSorted, table, verdict } from './stats';

/**
 * The audit log at scale: `npx ts-node --transpile-only bench/audit-bench.ts`.
 *   BENCH_SCALE  1 = 1,000,000 events; default 0.1 (100,000 events, about a minute on 2 cores)
 *   BENCH_DIR    where the temporary data directory is made (removed at the end)
 * The log is bulk-loaded into the SQLite events table (the append path is benchmarked elsewhere),
 * then the audit projection builds the tree through ProjectionRunner, as the server does.
 * Every figure is set against a baseline measured in the same run: a tree head or an inclusion
 * proof against one indexed point read of the same tree, verify against a raw SHA-256 over the
 * same leaf bytes.
 */

const scale = Number(process.env.BENCH_SCALE || '0.1');
if (!(scale > 0 && scale <= 10)) throw new Error(`BENCH_SCALE='${process.env.BENCH_SCALE}' is not valid`);
const EVENTS = Math.max(1000, Math.round(1_000_000 * scale));
const SAMPLES = 300;
const VERIFY_ROUNDS = 5;
const started = performance.now();
const log = (line: string) => process.stderr.write(`[audit-bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

/** A deterministic PRNG (mulberry32), so every run stores the same log. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uuid = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Claims of a realistic size (about 400 bytes of data and metadata), 20 per development stream, stored as appends store them. */
function bulkLoad(file: string, count: number): void {
  const random = prng(20241018);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    'INSERT INTO events (position, stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const start = Date.parse('2024-10-01T00:00:00.000Z');
  const chunk = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const development = Math.floor(i / 20);
      const data = {
        developmentId: `development-${development}`,
        claimId: uuid(i + 1),
        sourceId: `source-${Math.floor(random() * 500)}`,
        stance: random() < 0.8 ? 'asserts' : random() < 0.5 ? 'confirms' : 'denies',
        reportedAt: new Date(start + Math.floor(random() * 86_400_000 * 60)).toISOString(),
        quantity: { value: Math.floor(random() * 20000), unit: 'troops', qualifier: 'about' },
        quote: `Reported figure number ${i} according to the ministry's statement on the deployment`,
      };
      const metadata = { schemaVersion: 1, correlationId: uuid(i * 7 + 3), causationId: uuid(i * 11 + 5), actor: 'key-1:editor' };
      insert.run(i + 1, `development-${development}`, i % 20, uuid(i + 1), 'ClaimReported', storedJson(data), storedJson(metadata), new Date(start + i * 1000).toISOString());
    }
  });
  for (let from = 0; from < count; from += 10_000) chunk(from, Math.min(count, from + 10_000));
  db.close();
}

/** Events verified per second; the log must verify clean, at the same root as the tree head's. */
async function verifyRateOf(storage: Storage, tree: AuditTree, options?: VerifyOptions): Promise<number> {
  const started = performance.now();
  const verification = await verifyLog(storage.eventStore, tree, options);
  const rate = EVENTS / ((performance.now() - started) / 1000);
  if (!verification.ok) throw new Error(`verify failed on an untouched log: ${JSON.stringify(verification.firstMismatch)}`);
  if (verification.rootHash !== toHex(await tree.root(EVENTS))) throw new Error('verify recomputed another root than the stored one');
  return rate;
}

async function timed<T>(samples: number, run: (i: number) => Promise<T>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await run(i);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/**
 * Where verify's time would go on one thread: reading the log as stored text, putting each leaf
 * together from it, and (verify's slow path) canonicalising every parsed event instead, each timed
 * alone. Checks on the way that every leaf put together from the stored text is the canonical
 * JSON of the parsed event, and keeps the leaf bytes, 0x00 first, for the baseline.
 */
async function verifyParts(storage: Storage): Promise<{ read: number; leaf: number; canonical: number; leaves: LeafBytes }> {
  let [readMs, leafMs, canonicalMs] = [0, 0, 0];
  const chunks: Buffer[] = [];
  const ends: number[] = [];
  let length = 0;
  for (let after = 0n; ; ) {
    let t0 = performance.now();
    const events = await storage.eventStore.readAllText({ after, limit: 10_000 });
    readMs += performance.now() - t0;
    if (events.length === 0) break;
    t0 = performance.now();
    const leaves = events.map((event) => `\u0000${storedEventJsonText(event)}`);
    leafMs += performance.now() - t0;
    t0 = performance.now();
    const canonical = events.map((event) => `\u0000${auditLeaf(parsedEvent(event))}`);
    canonicalMs += performance.now() - t0;
    const differs = canonical.findIndex((leaf, i) => leaf !== leaves[i]);
    if (differs >= 0) throw new Error(`the leaf put together from the stored text of position ${events[differs].position} is not its canonical JSON`);
    const chunk = Buffer.from(leaves.join(''));
    chunks.push(chunk);
    for (const leaf of leaves) ends.push((length += Buffer.byteLength(leaf)));
    after = events[events.length - 1].position;
  }
  const rate = (ms: number) => EVENTS / (ms / 1000);
  return { read: rate(readMs), leaf: rate(leafMs), canonical: rate(canonicalMs), leaves: { bytes: Buffer.concat(chunks), ends } };
}

/** Every leaf's bytes, 0x00 first, back to back in one buffer (not a million objects on the heap verify runs beside). */
type LeafBytes = Readonly<{ bytes: Buffer; ends: readonly number[] }>;

/**
 * The baseline: SHA-256(0x00 ‖ leaf) of every leaf, on one thread, over bytes encoded beforehand,
 * the digest as a 'binary' string: the cheapest one-shot SHA-256 node:crypto has (a Buffer digest
 * costs about twice as much), so nothing but hashing is timed.
 */
function sha256Rate({ bytes, ends }: LeafBytes): number {
  const leaves = ends.map((end, i) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
  const started = performance.now();
  for (const leaf of leaves) hash('sha256', leaf, 'binary');
  return leaves.length / ((performance.now() - started) / 1000);
}

/**
 * The same hashes in the native addon verify's workers use, one call over every leaf (one thread):
 * SHA-256 without node:crypto's cost a call. Undefined when the addon is not built.
 */
function addonSha256Rate({ bytes, ends }: LeafBytes): number | undefined {
  if (!nativeHashing) return undefined;
  const laidOut = Buffer.from(bytes);
  for (let i = 0; i < ends.length; i++) laidOut[i === 0 ? 0 : ends[i - 1]] = LEAF_START;
  const started = performance.now();
  if (nativeHashing.leafHashes(laidOut, ends.length)?.length !== 32 * ends.length) throw new Error('the addon did not hash every leaf');
  return ends.length / ((performance.now() - started) / 1000);
}

/** How many stored subtrees an algorithm reads (its dry run records them). */
function subtreesRead(compute: (read: (level: number, index: number) => Buffer) => unknown): number {
  const seen = new Set<string>();
  compute((level, index) => {
    seen.add(`${level}:${index}`);
    return Buffer.alloc(32);
  });
  return seen.size;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR || tmpdir(), 'timeline-audit-bench-'));
  const clock = { now: () => Date.now() };
  let storage: Storage | undefined;
  try {
    storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, clock);
    log(`loading ${fmtInt(EVENTS)} events into ${dir}`);
    bulkLoad(join(dir, SQLITE_FILE), EVENTS);

    log('building the tree with the audit projection');
    const buildStart = performance.now();
    const running = await catchUp(storage, [new AuditProjection()]);
    await running.stop();
    const buildSeconds = (performance.now() - buildStart) / 1000;

    const tree = new AuditTree(storage.readModel);
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = new TreeHeadSigner(privateKey, clock);
    const audit = new AuditLog(storage.eventStore, tree, signer, new KnowledgeQueries(storage.readModel), async () => undefined);
    const size = await tree.size();
    if (size !== EVENTS) throw new Error(`the tree has ${size} leaves, expected ${EVENTS}`);
    const random = prng(7);
    const positions = Array.from({ length: SAMPLES }, () => BigInt(1 + Math.floor(random() * EVENTS)));

    log('tree heads, inclusion proofs, point reads');
    for (let i = 0; i < 30; i++) await Promise.all([audit.treeHead(), audit.inclusion(positions[i]), tree.leafAt(positions[i])]);
    const pointRead = await timed(SAMPLES, (i) => tree.leafAt(positions[i]));
    const heads = await timed(SAMPLES, () => audit.treeHead());
    const proofs = await timed(SAMPLES, (i) => audit.inclusion(positions[i]));
    const consistency = await timed(SAMPLES, (i) => audit.consistency(1 + Math.floor(Number(positions[i]) / 2)));

    log('verify on one thread');
    const oneThreadRate = await verifyRateOf(storage, tree);
    log('where the time goes; the leaf bytes for the baseline');
    const parts = await verifyParts(storage);
    const source = storage.leafRanges;
    if (source?.kind !== 'sqlite') throw new Error('the embedded store gave no file for verify workers');
    const workers = new LeafRangeWorkers(source, DEFAULT_VERIFY_THREADS);
    log(`verify in ${workers.threads} worker threads, the first time (starting them from TypeScript sources)`);
    const coldRate = await verifyRateOf(storage, tree, { workers });
    // The same workers hashing through node:crypto, as where the addon is not built (none when it is not).
    const nodeCryptoWorkers = workers.hashing === 'native' ? new LeafRangeWorkers(source, DEFAULT_VERIFY_THREADS, 'node:crypto') : undefined;
    if (nodeCryptoWorkers) await verifyRateOf(storage, tree, { workers: nodeCryptoWorkers });
    // Verify and its baseline in turns, so a noisy spell of the machine falls on both.
    const rounds: { verify: number; nodeCrypto: number; sha256: number; addon?: number }[] = [];
    for (let round = 1; round <= VERIFY_ROUNDS; round++) {
      log(`round ${round} of ${VERIFY_ROUNDS}: verify in ${workers.threads} started worker threads (${workers.hashing}${nodeCryptoWorkers ? ', then node:crypto' : ''}), then the raw SHA-256 of the same leaf bytes`);
      const verify = await verifyRateOf(storage, tree, { workers });
      const nodeCrypto = nodeCryptoWorkers ? await verifyRateOf(storage, tree, { workers: nodeCryptoWorkers }) : verify;
      rounds.push({ verify, nodeCrypto, sha256: sha256Rate(parts.leaves), addon: addonSha256Rate(parts.leaves) });
    }
    await workers.close();
    await nodeCryptoWorkers?.close();
    const verifyRate = median(rounds.map((round) => round.verify));
    const nodeCryptoRate = median(rounds.map((round) => round.nodeCrypto));
    const baselineRate = median(rounds.map((round) => round.sha256));
    const ratiosOf = (rate: (round: (typeof rounds)[number]) => number) => rounds.map((round) => rate(round) / round.sha256).sort((a, b) => a - b);
    const ratios = ratiosOf((round) => round.verify);
    const nodeCryptoRatios = ratiosOf((round) => round.nodeCrypto);
    const addonRate = nativeHashing ? median(rounds.map((round) => round.addon!)) : undefined;
    const ratioRange = (sorted: number[]) => `${fmtRatio(median(sorted))} (${fmtRatio(sorted[0])}–${fmtRatio(sorted[sorted.length - 1])})`;

    const p50 = (sorted: number[]) => median(sorted);
    const p95 = (sorted: number[]) => percentileSorted(sorted, 95);
    const midIndex = Math.floor(EVENTS / 2);
    const rows = [
      ['tree head (root from stored subtrees + Ed25519 signature), p50', fmtMs(p50(heads)), fmtMs(p50(pointRead)), fmtRatio(p50(heads) / p50(pointRead)), '≤ 5 ms', verdict(p50(heads) <= 5)],
      ['tree head, p95', fmtMs(p95(heads)), fmtMs(p95(pointRead)), fmtRatio(p95(heads) / p95(pointRead)), '≤ 5 ms', verdict(p95(heads) <= 5)],
      ['inclusion proof of a random event, p50', fmtMs(p50(proofs)), fmtMs(p50(pointRead)), fmtRatio(p50(proofs) / p50(pointRead)), '≤ 5 ms', verdict(p50(proofs) <= 5)],
      ['inclusion proof, p95', fmtMs(p95(proofs)), fmtMs(p95(pointRead)), fmtRatio(p95(proofs) / p95(pointRead)), '≤ 5 ms', verdict(p95(proofs) <= 5)],
      ['consistency proof, p50', fmtMs(p50(consistency)), fmtMs(p50(pointRead)), fmtRatio(p50(consistency) / p50(pointRead)), '—', ''],
      [
        `verify in ${workers.threads} worker threads (read, leaf, leaf hash, tree, compare; hashing: ${workers.hashing}), events/s; median of ${VERIFY_ROUNDS} rounds, ratio the median of the rounds' (lowest–highest)`,
        fmtInt(verifyRate),
        `${fmtInt(baselineRate)} (raw SHA-256, 1 thread)`,
        ratioRange(ratios),
        '≥ 0.5×',
        verdict(median(ratios) >= 0.5),
      ],
      ...(nodeCryptoWorkers
        ? [[`the same, hashing through node:crypto (where the addon is not built)`, fmtInt(nodeCryptoRate), `${fmtInt(baselineRate)} (raw SHA-256, 1 thread)`, ratioRange(nodeCryptoRatios), '—', '']]
        : []),
      ...(addonRate
        ? [[`verify (the first row) against SHA-256 of the same leaf bytes in the addon, one call for all`, fmtInt(verifyRate), `${fmtInt(addonRate)} (addon SHA-256, 1 thread)`, fmtRatio(verifyRate / addonRate), '—', '']]
        : []),
      ['verify, the first time (workers start from TypeScript: ts-node)', fmtInt(coldRate), `${fmtInt(baselineRate)} (raw SHA-256, 1 thread)`, fmtRatio(coldRate / baselineRate), '—', ''],
      ['verify on one thread (as on KurrentDB, or with TIMELINE_VERIFY_THREADS=0), events/s', fmtInt(oneThreadRate), `${fmtInt(baselineRate)} (raw SHA-256, 1 thread)`, fmtRatio(oneThreadRate / baselineRate), '—', ''],
    ];
    const reads = [
      `stored subtrees read: tree head ${subtreesRead((read) => rootHash(EVENTS, read))}, inclusion proof of leaf ${midIndex} ${subtreesRead((read) => inclusionProof(midIndex, EVENTS, read))}, consistency ${midIndex}→${EVENTS} ${subtreesRead((read) => consistencyProof(midIndex, EVENTS, read))} (log2 n = ${Math.log2(EVENTS).toFixed(1)}), each in one round trip of 2 statements`,
      `where verify's time would go on one thread, each alone in events/s: reading the log as stored text through the port ${fmtInt(parts.read)}, putting the leaf together from it ${fmtInt(parts.leaf)}, SHA-256 of the leaf ${fmtInt(baselineRate)}; parsing and canonicalising each event instead (\`canonicalize\`, verify's fallback for rows not stored canonical) ${fmtInt(parts.canonical)}`,
      `verify rounds (worker threads${nodeCryptoWorkers ? ' / the same through node:crypto' : ''} / raw SHA-256, events/s): ${rounds
        .map((round) => [round.verify, ...(nodeCryptoWorkers ? [round.nodeCrypto] : []), round.sha256].map(fmtInt).join(' / '))
        .join('; ')}`,
      `tree built by the audit projection at ${fmtInt(EVENTS / buildSeconds)} events/s (${buildSeconds.toFixed(1)} s)`,
    ];
    process.stdout.write(
      [`## Audit log, ${fmtInt(EVENTS)} events (SQLite, BENCH_SCALE=${scale})`, '', table(['measure', 'result', 'baseline', 'ratio', 'target', ''], rows), '', ...reads.map((line) => `- ${line}`), ''].join('\n'),
    );
  } finally {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`audit-bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
