import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { portOf } from './raw-http';
import { TestApp } from './test-app';

/**
 * A fuzz of every route with arbitrary bodies, query strings, path ids and headers, against an app
 * holding one source, one development and one claim ({@link seedFuzzTarget}). Shared by the e2e
 * spec (a few hundred cases) and `bench/fuzz-bench.ts` (10,000 and more). Free of jest's globals.
 */

export type FuzzTarget = { sourceId: string; developmentId: string; claimId: string };

export type FuzzRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON text or arbitrary text; `undefined` sends no body. */
  payload?: string;
};

export type FuzzReport = { cases: number; byStatus: Record<number, number>; eventsStored: number };

/** Keys that could reach a prototype, and keys our DTOs know, mixed into arbitrary ones. */
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'a.b', 'a[b]', '$where', '\u0000'];
const KNOWN_FIELDS = [
  'id', 'name', 'kind', 'country', 'reliability', 'title', 'summary', 'category', 'occurred', 'from', 'to', 'label',
  'location', 'actors', 'topics', 'claim', 'sourceId', 'stance', 'reportedAt', 'quantity', 'value', 'unit', 'qualifier',
  'quote', 'publication', 'url', 'publishedAt', 'credibility', 'reason', 'changes', 'affiliation',
];
const QUERY_NAMES = [
  'asOf', 'recordedAsOf', 'topic', 'sourceId', 'status', 'occurredFrom', 'occurredTo', 'limit', 'cursor', 'minPosition', 'from', 'to', 'q',
  'after', 'types', 'streamPrefix', 'position', 'treeSize', 'first', 'second',
];
const ODD_VALUES = [
  '', '0', '-1', '1.5', '1e400', '9007199254740993', '99999999999999999999', 'NaN', 'null', 'true', '[]', '{}',
  '2024-10-18', '2025-02-30', '2024-10-18T09:30:00+02:00', '9999-12-31T23:00:00-02:00', '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z', 'a\u0000b', 'WzEsImEiLDFlMjBd', 'eyJhIjoxfQ', 'reported', 'ClaimReported', 'development-',
  'fuzz,FUZZ', 'a,,b', ',', 'fuzz-watch', 'WzAsIngiLDBd',
  // Full-text search (`q`): store syntax taken literally, quotes, accents, other scripts, too many or too long terms.
  '"fuzz" OR target*', "a'b\\c:* & !d", 'NEAR(fuzz target)', 'Ré Курск 1e5x', 'a b c d e f g h i j k', 'x'.repeat(101), 'ab '.repeat(167),
];

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...ODD_VALUES));
const key = fc.oneof(fc.constantFrom(...ODD_KEYS, ...KNOWN_FIELDS), fc.string({ maxLength: 12 }));

/** JSON values with odd keys, plus a deep chain of objects or arrays (up to 3,000 levels). */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    text,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;

const deepChain = fc
  .tuple(fc.integer({ min: 1, max: 3000 }), fc.boolean(), key, jsonValue)
  .map(([levels, arrays, name, leaf]) => {
    const open = arrays ? '['.repeat(levels) : `{${JSON.stringify(name)}:`.repeat(levels);
    return open + JSON.stringify(leaf ?? null) + (arrays ? ']' : '}').repeat(levels);
  });

/** A body the route accepts, with one field (at any depth) replaced by an arbitrary value. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const paths = fieldPaths(valid);
  return fc.tuple(fc.constantFrom(...paths), fc.oneof(jsonValue, fc.constant(undefined))).map(([path, value]) => {
    const copy = JSON.parse(JSON.stringify(valid));
    let target = copy;
    for (const part of path.slice(0, -1)) target = target[part];
    if (value === undefined) delete target[path.at(-1)!];
    else target[path.at(-1)!] = value;
    return JSON.stringify(copy);
  });
}

function fieldPaths(value: Record<string, unknown>, prefix: string[] = []): string[][] {
  return Object.entries(value).flatMap(([name, child]) => [
    [...prefix, name],
    ...(child && typeof child === 'object' && !Array.isArray(child) ? fieldPaths(child as Record<string, unknown>, [...prefix, name]) : []),
  ]);
}

const body = (valid?: Record<string, unknown>) =>
  fc.oneof(
    jsonValue.map((value) => JSON.stringify(value ?? null)),
    deepChain,
    ...(valid ? [mutated(valid), mutated(valid)] : []),
    fc.string({ maxLength: 60 }),
    fc.constant(undefined),
  );

/** Text as sent without encoding, but for what no request line can carry (spaces, controls, beyond Latin-1). */
const unescaped = (value: string) => value.replace(/[^\u0021-\u00ff]/gu, encodeURIComponent);

/** A query string: known and odd names, arbitrary values, sometimes repeated, sometimes not encoded. */
const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), key), text, fc.boolean()), { maxLength: 5 })
  .map((pairs) =>
    pairs
      .map(([name, value, raw]) => (raw ? `${unescaped(name)}=${unescaped(value)}` : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`))
      .join('&'),
  );

/** A path segment: a known id, or arbitrary text, encoded or (for malformed percent-encoding) not. */
const segment = (known: string) =>
  fc.oneof(
    fc.constant(known),
    text.map(encodeURIComponent),
    fc.string({ maxLength: 300 }).map(encodeURIComponent),
    fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2e%2e', 'a'.repeat(250)),
  );

/** Header values HTTP can carry: visible ASCII, spaces and tabs. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 60 }),
  fc.constantFrom(...ODD_VALUES.filter((value) => /^[\x20-\x7e]*$/.test(value))),
);

const headers = fc.record(
  {
    'content-type': fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/xml', 'multipart/form-data', ';;') },
      { weight: 1, arbitrary: headerValue },
    ),
    'idempotency-key': headerValue,
    'if-match': headerValue,
    'x-correlation-id': headerValue,
    'last-event-id': headerValue,
    accept: headerValue,
  },
  { requiredKeys: ['content-type'] },
);

type Route = { method: string; path: (target: FuzzTarget) => fc.Arbitrary<string>; valid?: (target: FuzzTarget) => Record<string, unknown> };

const fixed = (path: string) => () => fc.constant(path);
const claimInput = (target: FuzzTarget) => ({ sourceId: target.sourceId, stance: 'asserts', reportedAt: '2025-03-06T10:00:00+02:00' });

/** Every route of the API (the live stream is read until its headers, then dropped). */
const ROUTES: Route[] = [
  {
    method: 'POST',
    path: fixed('/v1/sources'),
    valid: () => ({ id: 'fuzz-source', name: 'Fuzz', kind: 'media', country: 'NO', affiliation: 'fuzz-group', reliability: 'B' }),
  },
  {
    method: 'POST',
    path: fixed('/v1/developments'),
    valid: (t) => ({ id: 'fuzz-development', title: 'Fuzz', occurred: { from: '2025-03-01', to: '2025-03-02', label: 'early March' }, topics: ['fuzz'], claim: claimInput(t) }),
  },
  { method: 'POST', path: (t) => segment(t.developmentId).map((id) => `/v1/developments/${id}/claims`), valid: claimInput },
  {
    method: 'POST',
    path: (t) => fc.tuple(segment(t.developmentId), segment(t.claimId)).map(([id, claim]) => `/v1/developments/${id}/claims/${claim}/retraction`),
    valid: () => ({ reportedAt: '2025-03-20', reason: 'withdrawn' }),
  },
  { method: 'POST', path: (t) => segment(t.developmentId).map((id) => `/v1/developments/${id}/corrections`), valid: () => ({ changes: { title: 'Fuzzed' }, reason: 'typo' }) },
  {
    method: 'POST',
    path: (t) => fc.tuple(segment(t.developmentId), segment(t.claimId)).map(([id, claim]) => `/v1/developments/${id}/claims/${claim}/corrections`),
    valid: () => ({ changes: { stance: 'denies', quantity: { value: 3, unit: 'ships', qualifier: 'about' } }, reason: 'misread' }),
  },
  {
    method: 'POST',
    path: (t) => segment(t.sourceId).map((id) => `/v1/sources/${id}/ratings`),
    valid: () => ({ reliability: 'C', reportedAt: '2025-03-10T08:00:00Z', reason: 'fuzzed rating' }),
  },
  { method: 'GET', path: fixed('/v1/knowledge') },
  { method: 'GET', path: fixed('/v1/knowledge/changes') },
  { method: 'GET', path: (t) => segment(t.developmentId).map((id) => `/v1/developments/${id}`) },
  { method: 'GET', path: (t) => segment(t.developmentId).map((id) => `/v1/developments/${id}/history`) },
  { method: 'GET', path: fixed('/v1/sources') },
  { method: 'GET', path: (t) => segment(t.sourceId).map((id) => `/v1/sources/${id}`) },
  { method: 'GET', path: (t) => segment(t.sourceId).map((id) => `/v1/sources/${id}/claims`) },
  { method: 'GET', path: fixed('/v1/topics') },
  { method: 'GET', path: fixed('/v1/events') },
  { method: 'GET', path: fixed('/v1/events/live') },
  { method: 'GET', path: fixed('/v1/projections') },
  ...['tree-head', 'inclusion', 'consistency', 'verify', 'replay', 'export'].map((name) => ({ method: 'GET', path: fixed(`/v1/audit/${name}`) })),
  { method: 'GET', path: fixed('/health') },
  { method: 'GET', path: fixed('/docs') },
  { method: 'GET', path: () => segment('nowhere').map((rest) => `/v1/${rest}`) },
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** One request: a route (sometimes with another method), a query string, a body and headers. */
export function fuzzRequests(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...ROUTES).chain((route) =>
    fc.record({
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      url: fc.tuple(route.path(target), queryString).map(([path, query]) => (query ? `${path}?${query}` : path)),
      payload: body(route.valid?.(target)),
      headers,
    }),
  );
}

/** The records the fuzz works against: a source, a development and its claim. */
export async function seedFuzzTarget(app: TestApp): Promise<FuzzTarget> {
  const sourceId = 'fuzz-watch';
  const developmentId = 'fuzz-target';
  const ok = (response: { status: number; text: string; body: any }) => {
    if (response.status !== 201) throw new Error(`seeding the fuzz target: ${response.status} ${response.text}`);
    return response.body;
  };
  ok(await app.post('/v1/sources', { id: sourceId, name: 'Fuzz Watch', kind: 'media' }));
  const recorded = ok(
    await app.post('/v1/developments', { id: developmentId, title: 'Fuzz target', claim: { sourceId, stance: 'asserts', reportedAt: '2025-03-05' } }),
  );
  return { sourceId, developmentId, claimId: recorded.claimId };
}

/** Every request here is answered at once: one that is not is aborted and fails the run. */
const ANSWER_WITHIN_MS = 10_000;

type Answer = { status: number; contentType: string; problem?: { status?: unknown; type?: unknown } };

/** One request on a kept-alive connection to the listening app: its status and problem document. */
function send(agent: Agent, port: number, fuzzed: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { method, url, headers, payload } = fuzzed;
    // Framed explicitly: Node's client sends a GET's or HEAD's body unframed otherwise.
    const length = payload === undefined ? {} : { 'content-length': String(Buffer.byteLength(payload)) };
    const options = { agent, host: '127.0.0.1', port, method, path: url, headers: { ...headers, ...length }, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) };
    const req = request(options, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      // The live stream never ends by itself: its head is the answer; dropping it ends the stream.
      if (contentType.startsWith('text/event-stream')) {
        res.destroy();
        return resolve({ status: res.statusCode!, contentType });
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        // HEAD answers carry a problem's headers without its body.
        const problem = contentType.startsWith('application/problem+json') && method !== 'HEAD' ? JSON.parse(text) : undefined;
        resolve({ status: res.statusCode!, contentType, problem });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Why an answer breaks the contract, or `undefined`: never a 5xx (but for a 503 while projections
 * catch up with a `minPosition`), every error a problem document, and nothing stored unless 2xx.
 */
function violation(request: FuzzRequest, answer: Answer, stored: bigint): string | undefined {
  const projectionLag = answer.status === 503 && answer.problem?.type === 'https://timeline.dev/problems/projection-lag';
  if (answer.status >= 500 && !projectionLag) return `a ${answer.status}`;
  if (answer.status >= 400 && request.method !== 'HEAD' && answer.problem?.status !== answer.status) {
    return `a ${answer.status} that is not a problem document (${answer.contentType})`;
  }
  if (stored !== 0n && (answer.status < 200 || answer.status >= 300)) return `${stored} event(s) stored by a ${answer.status}`;
  return undefined;
}

/**
 * Runs `runs` cases (seeded when `seed` is given) against the app, which must be listening; throws
 * with the failing request, shrunk, on the first violation.
 */
export async function runRequestFuzz(app: TestApp, target: FuzzTarget, runs: number, seed?: number): Promise<FuzzReport> {
  const store = app.app.get<EventStore>(EVENT_STORE);
  const port = portOf(app.app);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const report: FuzzReport = { cases: 0, byStatus: {}, eventsStored: 0 };
  try {
    await fc.assert(
      fc.asyncProperty(fuzzRequests(target), async (fuzzed) => {
        const before = await store.headPosition();
        const answer = await send(agent, port, fuzzed);
        const stored = (await store.headPosition()) - before;
        const wrong = violation(fuzzed, answer, stored);
        if (wrong) throw new Error(`${fuzzed.method} ${fuzzed.url} answered ${wrong}`);
        report.cases += 1;
        report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
        report.eventsStored += Number(stored);
      }),
      { numRuns: runs, seed, endOnFailure: false },
    );
  } finally {
    agent.destroy();
  }
  return report;
}
