import canonicalize from 'canonicalize';
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { verifyExport } from '../../src/audit/export-verifier';
import { Hash, fromHex, leafHash } from '../../src/audit/merkle/merkle-hash';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle/merkle-verify';
import { SIGNING_KEY_FILE } from '../../src/audit/signing-key';
import { publicKeyText, verifyTreeHeadSignature } from '../../src/audit/tree-head';
import { ManualClock, aClaim, aManualClock, created, expectProblem } from '../support/builders';
import { TestApp, startTestApp } from '../support/test-app';
import { loggedEvents, writeHistory } from './support/history';
import { naive } from './support/memory-tree';

const hash = (hex: string): Hash => fromHex(hex)!;

describe('the audit API over HTTP', () => {
  let app: TestApp;
  let clock: ManualClock;
  /** The leaves as an auditor computes them from `/v1/events`: the canonical JSON of each item. */
  let leaves: Buffer[];

  beforeAll(async () => {
    clock = aManualClock();
    app = await startTestApp({ clock });
    await writeHistory(app, clock);
    leaves = (await loggedEvents(app)).map((event) => Buffer.from(canonicalize(event)!, 'utf8'));
  });
  afterAll(() => app.close());

  it('serves a tree head over the canonical JSON of /v1/events, signed with the key generated into the data dir', async () => {
    const head = (await app.get('/v1/audit/tree-head')).body;
    expect(head).toEqual({
      treeSize: 8,
      rootHash: naive.root(leaves).toString('hex'),
      timestamp: clock.iso(),
      signature: expect.any(String),
      publicKey: expect.any(String),
      algorithm: 'Ed25519',
    });
    expect(verifyTreeHeadSignature(head)).toBe(true);
    expect(verifyTreeHeadSignature({ ...head, treeSize: 7 })).toBe(false);
    const keyFile = join(app.config.dataDir, SIGNING_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(publicKeyText(createPrivateKey(readFileSync(keyFile, 'utf8')))).toBe(head.publicKey);
  });

  it('serves an inclusion proof for every event, at the current and at an earlier tree size, that verifies', async () => {
    const head = (await app.get('/v1/audit/tree-head')).body;
    for (let position = 1; position <= 8; position++) {
      const proof = (await app.get(`/v1/audit/inclusion?position=${position}`)).body;
      expect(proof).toEqual({ leafIndex: position - 1, treeSize: 8, leafHash: leafHash(leaves[position - 1]).toString('hex'), auditPath: expect.any(Array) });
      expect(verifyInclusion(proof.leafIndex, 8, hash(proof.leafHash), proof.auditPath.map(hash), hash(head.rootHash))).toBe(true);
      for (let size = position; size < 8; size++) {
        const earlier = (await app.get(`/v1/audit/inclusion?position=${position}&treeSize=${size}`)).body;
        expect(verifyInclusion(position - 1, size, hash(earlier.leafHash), earlier.auditPath.map(hash), naive.root(leaves.slice(0, size)))).toBe(true);
      }
    }
  });

  it('serves consistency proofs from every earlier size to the current head, that verify', async () => {
    const head = (await app.get('/v1/audit/tree-head')).body;
    for (let first = 1; first <= 8; first++) {
      const body = (await app.get(`/v1/audit/consistency?first=${first}&second=8`)).body;
      expect(body).toEqual({ first, second: 8, proof: expect.any(Array) });
      expect(verifyConsistency(first, 8, naive.root(leaves.slice(0, first)), hash(head.rootHash), body.proof.map(hash))).toBe(true);
    }
  });

  it('refuses proofs outside the tree', async () => {
    expectProblem(await app.get('/v1/audit/inclusion?position=99'), 404);
    expectProblem(await app.get('/v1/audit/inclusion?position=3&treeSize=2'), 400);
    expectProblem(await app.get('/v1/audit/inclusion?position=3&treeSize=99'), 400);
    expectProblem(await app.get('/v1/audit/inclusion'), 400);
    expectProblem(await app.get('/v1/audit/consistency?first=0&second=8'), 400);
    expectProblem(await app.get('/v1/audit/consistency?first=5&second=4'), 400);
    expectProblem(await app.get('/v1/audit/consistency?first=1&second=9'), 400);
    expectProblem(await app.get('/v1/audit/consistency?first=x'), 400);
  });

  it('verifies the untouched log', async () => {
    const head = (await app.get('/v1/audit/tree-head')).body;
    expect((await app.get('/v1/audit/verify')).body).toEqual({ ok: true, treeSize: 8, rootHash: head.rootHash });
  });

  it('replays the raw log to the same answer as the read model, with a digest of it, on both axes', async () => {
    for (const query of ['', 'asOf=2025-03-06', 'asOf=2025-03-06&topic=vestby-harbour', `recordedAsOf=${encodeURIComponent(new Date(Date.parse(clock.iso()) - 150_000).toISOString())}`]) {
      const replay = await app.get(`/v1/audit/replay?${query}`);
      expect(replay.status).toBe(200);
      const knowledge = await app.get(`/v1/knowledge?${query}`);
      expect(replay.body).toEqual({
        asOf: knowledge.body.asOf,
        recordedAsOf: knowledge.body.recordedAsOf,
        position: 8,
        items: knowledge.body.items,
        digest: createHash('sha256').update(canonicalize(knowledge.body.items)!).digest('hex'),
        matchesReadModel: true,
      });
    }
    expect((await app.get('/v1/audit/replay?asOf=2025-03-05')).body.items).toHaveLength(1);
  });

  it('exports the log as NDJSON that the standalone verifier accepts', async () => {
    const response = await app.get('/v1/audit/export');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = response.text.trim().split('\n');
    expect(lines).toHaveLength(9);
    const report = await verifyExport(lines);
    expect(report).toEqual(expect.objectContaining({ ok: true, events: 8, rootHash: naive.root(leaves).toString('hex') }));
    expect(JSON.parse(lines[1]).event).toEqual((await loggedEvents(app))[0]);
  });

  it('grows the tree with each write, consistently with the earlier head', async () => {
    const before = (await app.get('/v1/audit/tree-head')).body;
    clock.advance();
    const { position } = created(await app.post('/v1/developments/pier-fire/claims', aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-08' })));
    const after = (await app.get('/v1/audit/tree-head')).body;
    expect(after.treeSize).toBe(position);
    const { proof } = (await app.get(`/v1/audit/consistency?first=${before.treeSize}&second=${after.treeSize}`)).body;
    expect(verifyConsistency(before.treeSize, after.treeSize, hash(before.rootHash), hash(after.rootHash), proof.map(hash))).toBe(true);
  });
});

describe('the audit API with API keys', () => {
  let app: TestApp;
  const keys = { reader: 'reader-key-0123456789', auditor: 'auditor-key-0123456789' };

  beforeAll(async () => {
    app = await startTestApp({ env: { TIMELINE_API_KEYS: `${keys.reader}:reader,${keys.auditor}:auditor` } });
  });
  afterAll(() => app.close());

  it('is for auditors and admins only', async () => {
    expectProblem(await app.get('/v1/audit/tree-head', { authorization: `Bearer ${keys.reader}` }), 403);
    expectProblem(await app.get('/v1/audit/tree-head'), 401);
    const head = await app.get('/v1/audit/tree-head', { authorization: `Bearer ${keys.auditor}` });
    expect(head.body).toEqual(expect.objectContaining({ treeSize: 0, rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }));
  });
});
