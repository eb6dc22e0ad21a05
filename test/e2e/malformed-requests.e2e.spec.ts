import { aClaim, aClaimCorrection, aDevelopment, aDevelopmentCorrection, aQuantity, aRetraction, aSource, created, headPosition } from '../support/builders';
import { LiveEventStreams } from '../../src/http/sse/live-event-streams';
import { listening, rawRequest } from '../support/raw-http';
import { TestApp, startTestApp } from '../support/test-app';

type BadRequest = {
  /** What is wrong, as the test name says it. */
  name: string;
  method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
  url: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
  /** For validation errors: the field `errors` must name. */
  field?: string;
};

const DEV = 'vestby-oil-spill';
const IF_MATCH_TARGET = 'if-match-target';
const SOURCES = '/v1/sources';
const DEVELOPMENTS = '/v1/developments';
const CLAIMS = `/v1/developments/${DEV}/claims`;
const CORRECTIONS = `/v1/developments/${DEV}/corrections`;
// Filled in once the development is recorded; the URLs below read it lazily.
let claimId = '';
const retraction = () => `/v1/developments/${DEV}/claims/${claimId}/retraction`;
const claimCorrections = () => `/v1/developments/${DEV}/claims/${claimId}/corrections`;

/** A valid body with one field replaced (or removed, with `undefined`). */
function withField<T extends object>(body: T, path: string, value: unknown): T {
  const copy = JSON.parse(JSON.stringify(body));
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key];
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return copy;
}

const source = (path: string, value: unknown) => withField(aSource({ id: 'fresh-source', name: 'Fresh Source' }), path, value);
const development = (path: string, value: unknown) => withField(aDevelopment({ id: 'fresh-development' }), path, value);
const claim = (path: string, value: unknown) => withField(aClaim({ reportedAt: '2025-03-06' }), path, value);
const claimWithQuantity = (path: string, value: unknown) => withField(aClaim({ reportedAt: '2025-03-06', quantity: aQuantity() }), path, value);

/** JSON text of `levels` objects nested in one another under `key`, around `leaf`. */
const nested = (levels: number, key = 'name', leaf = '"x"') => `{"${key}":`.repeat(levels) + leaf + '}'.repeat(levels);
const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
/** A `nextCursor` of the shape the server issues, with any fields. */
const cursor = (...fields: unknown[]) => Buffer.from(JSON.stringify(fields)).toString('base64url');

const badBodies: BadRequest[] = [
  // wrong types
  { name: 'a number for a string (source name)', url: SOURCES, body: source('name', 42), status: 400, field: 'name' },
  { name: 'a number for an enum string (source kind)', url: SOURCES, body: source('kind', 5), status: 400, field: 'kind' },
  { name: 'a number for a string (development title)', url: DEVELOPMENTS, body: development('title', 12), status: 400, field: 'title' },
  { name: 'a string for a number (claim credibility)', url: DEVELOPMENTS, body: development('claim.credibility', '3'), status: 400, field: 'claim.credibility' },
  { name: 'a string for a number (quantity value)', url: CLAIMS, body: claimWithQuantity('quantity.value', '2000'), status: 400, field: 'quantity.value' },
  { name: 'a boolean for a string (summary)', url: DEVELOPMENTS, body: development('summary', true), status: 400, field: 'summary' },
  { name: 'a boolean for a date (reportedAt)', url: CLAIMS, body: claim('reportedAt', false), status: 400, field: 'reportedAt' },
  { name: 'an object for a string (title)', url: DEVELOPMENTS, body: development('title', { text: 'Oil spill' }), status: 400, field: 'title' },
  { name: 'a string for an array (actors)', url: DEVELOPMENTS, body: development('actors', 'MT Nordlys'), status: 400, field: 'actors' },
  { name: 'numbers in a string array (topics)', url: DEVELOPMENTS, body: development('topics', [1, 2]), status: 400, field: 'topics' },
  { name: 'an infinite quantity value (1e400)', url: CLAIMS, rawBody: '{"sourceId":"harbour-watch","stance":"asserts","reportedAt":"2025-03-06","quantity":{"value":1e400,"unit":"litres","qualifier":"about"}}', status: 400, field: 'quantity.value' },
  { name: 'a title longer than 500 characters', url: DEVELOPMENTS, body: development('title', 'x'.repeat(501)), status: 400, field: 'title' },
  // missing required fields
  { name: 'a source without name', url: SOURCES, body: source('name', undefined), status: 400, field: 'name' },
  { name: 'a source without kind', url: SOURCES, body: source('kind', undefined), status: 400, field: 'kind' },
  { name: 'a development without title', url: DEVELOPMENTS, body: development('title', undefined), status: 400, field: 'title' },
  { name: 'a development without claim', url: DEVELOPMENTS, body: development('claim', undefined), status: 400, field: 'claim' },
  { name: 'a claim without stance', url: CLAIMS, body: claim('stance', undefined), status: 400, field: 'stance' },
  { name: 'a claim without reportedAt', url: CLAIMS, body: claim('reportedAt', undefined), status: 400, field: 'reportedAt' },
  { name: 'a first claim without sourceId', url: DEVELOPMENTS, body: development('claim.sourceId', undefined), status: 400, field: 'claim.sourceId' },
  { name: 'a retraction without reason', url: '<retraction>', body: withField(aRetraction(), 'reason', undefined), status: 400, field: 'reason' },
  { name: 'a retraction without reportedAt', url: '<retraction>', body: withField(aRetraction(), 'reportedAt', undefined), status: 400, field: 'reportedAt' },
  { name: 'a correction without changes', url: CORRECTIONS, body: { reason: 'typo' }, status: 400, field: 'changes' },
  { name: 'a correction without reason', url: CORRECTIONS, body: { changes: { title: 'Oil spill' } }, status: 400, field: 'reason' },
  // null
  { name: 'null for a required string (name)', url: SOURCES, body: source('name', null), status: 400, field: 'name' },
  { name: 'null for the required claim', url: DEVELOPMENTS, body: development('claim', null), status: 400, field: 'claim' },
  { name: 'null for a required claim field (sourceId)', url: CLAIMS, body: claim('sourceId', null), status: 400, field: 'sourceId' },
  { name: 'null for an optional string (country)', url: SOURCES, body: source('country', null), status: 400, field: 'country' },
  { name: 'null for an optional string (summary)', url: DEVELOPMENTS, body: development('summary', null), status: 400, field: 'summary' },
  { name: 'null for an optional object (quantity)', url: CLAIMS, body: claim('quantity', null), status: 400, field: 'quantity' },
  { name: 'null for an optional object (occurred)', url: DEVELOPMENTS, body: development('occurred', null), status: 400, field: 'occurred' },
  { name: 'null for an optional nested string (occurred.label)', url: DEVELOPMENTS, body: development('occurred.label', null), status: 400, field: 'occurred.label' },
  { name: 'null for a correction change (changes.title)', url: CORRECTIONS, body: aDevelopmentCorrection({ title: null }), status: 400, field: 'changes.title' },
  // unknown fields
  { name: 'an unknown top-level field on a source', url: SOURCES, body: source('founded', 1990), status: 400, field: 'founded' },
  { name: 'an unknown top-level field on a development', url: DEVELOPMENTS, body: development('status', 'confirmed'), status: 400, field: 'status' },
  { name: 'an unknown field nested in the claim', url: DEVELOPMENTS, body: development('claim.mood', 'grim'), status: 400, field: 'claim.mood' },
  { name: 'an unknown field nested in occurred', url: DEVELOPMENTS, body: development('occurred.precision', 'day'), status: 400, field: 'occurred.precision' },
  { name: 'an unknown field nested in quantity', url: CLAIMS, body: claimWithQuantity('quantity.currency', 'NOK'), status: 400, field: 'quantity.currency' },
  { name: 'an unknown field in development changes', url: CORRECTIONS, body: aDevelopmentCorrection({ status: 'confirmed' }), status: 400, field: 'changes.status' },
  { name: 'an unknown field in claim changes', url: '<claim-corrections>', body: aClaimCorrection({ claimId: 'other' }), status: 400, field: 'changes.claimId' },
  { name: 'a recordedAt sent by the client', url: CLAIMS, body: claim('recordedAt', '2025-03-06T00:00:00Z'), status: 400, field: 'recordedAt' },
  // impossible dates
  { name: 'reportedAt 2025-02-30', url: CLAIMS, body: claim('reportedAt', '2025-02-30'), status: 400, field: 'reportedAt' },
  { name: 'reportedAt 2024-13-01', url: CLAIMS, body: claim('reportedAt', '2024-13-01'), status: 400, field: 'reportedAt' },
  { name: 'reportedAt 2024-10-20T25:00:00Z', url: CLAIMS, body: claim('reportedAt', '2024-10-20T25:00:00Z'), status: 400, field: 'reportedAt' },
  { name: 'reportedAt as an instant without offset', url: CLAIMS, body: claim('reportedAt', '2024-10-20T12:00:00'), status: 400, field: 'reportedAt' },
  { name: 'reportedAt in words', url: CLAIMS, body: claim('reportedAt', 'last Tuesday'), status: 400, field: 'reportedAt' },
  { name: 'reportedAt 2025-02-29 (not a leap year) on a retraction', url: '<retraction>', body: aRetraction({ reportedAt: '2025-02-29' }), status: 400, field: 'reportedAt' },
  { name: 'occurred.from 2025-02-30', url: DEVELOPMENTS, body: development('occurred.from', '2025-02-30'), status: 400, field: 'occurred.from' },
  { name: 'publication.publishedAt 2024-02-30', url: CLAIMS, body: claim('publication', { title: 'Harbour Watch', publishedAt: '2024-02-30' }), status: 400, field: 'publication.publishedAt' },
  { name: 'occurred.to before occurred.from', url: DEVELOPMENTS, body: development('occurred', { from: '2025-03-04', to: '2025-03-03' }), status: 400, field: 'occurred.to' },
  { name: 'a corrected occurred.to before occurred.from', url: CORRECTIONS, body: aDevelopmentCorrection({ occurred: { from: '2025-03-04', to: '2025-03-03T23:00:00Z' } }), status: 400, field: 'changes.occurred.to' },
  { name: 'a corrected reportedAt 2024-02-30', url: '<claim-corrections>', body: aClaimCorrection({ reportedAt: '2024-02-30' }), status: 400, field: 'changes.reportedAt' },
  // U+0000: PostgreSQL's text and jsonb cannot hold it (stored, it stopped the projections for good)
  { name: 'a U+0000 in a source name', url: SOURCES, body: source('name', 'Harbour\u0000Watch'), status: 400, field: '' },
  { name: 'a U+0000 in a claim quote', url: CLAIMS, body: claim('quote', 'said \u0000 so'), status: 400, field: '' },
  { name: 'a U+0000 in a retraction reason', url: '<retraction>', body: aRetraction({ reason: 'with a \u0000 nul' }), status: 400, field: '' },
  { name: 'a U+0000 in a key', url: SOURCES, rawBody: '{"id":"nul-key","name":"N","kind":"media","a\\u0000b":1}', status: 400, field: '' },
  // not a JSON object
  { name: 'broken JSON', url: SOURCES, rawBody: '{"name": "Harbour Watch",', status: 400 },
  { name: 'an empty body with a JSON content type', url: SOURCES, rawBody: '', status: 400 },
  { name: 'no body at all', url: SOURCES, status: 400 },
  { name: 'a JSON array as the body', url: SOURCES, rawBody: '[]', status: 400 },
  { name: 'a JSON string as the body', url: SOURCES, rawBody: '"Harbour Watch"', status: 400 },
  { name: 'a JSON number as the body', url: CLAIMS, rawBody: '42', status: 400 },
  { name: 'JSON null as the body', url: CLAIMS, rawBody: 'null', status: 400 },
  { name: 'an array where the claim object is expected', url: DEVELOPMENTS, body: development('claim', []), status: 400, field: 'claim' },
  { name: 'an array where the quantity object is expected', url: CLAIMS, body: claim('quantity', []), status: 400, field: 'quantity' },
  { name: 'an array of objects where the quantity object is expected', url: CLAIMS, body: claim('quantity', [aQuantity()]), status: 400, field: 'quantity' },
  { name: 'an array where the changes object is expected', url: CORRECTIONS, body: { changes: [], reason: 'typo' }, status: 400, field: 'changes' },
  { name: 'an array where the occurred object is expected', url: DEVELOPMENTS, body: development('occurred', ['2025-03-03']), status: 400, field: 'occurred' },
  // prototype pollution attempts
  { name: 'a top-level __proto__ key', url: SOURCES, rawBody: '{"id":"proto-source","name":"P","kind":"media","__proto__":{"admin":true}}', status: 400 },
  { name: 'a nested __proto__ key', url: DEVELOPMENTS, rawBody: JSON.stringify(development('id', 'proto-development')).replace('"claim":{', '"claim":{"__proto__":{"credibility":1},'), status: 400 },
  { name: 'a top-level constructor.prototype key', url: SOURCES, rawBody: '{"id":"ctor-source-a","name":"C","kind":"media","constructor":{"prototype":{"admin":true}}}', status: 400 },
  { name: 'a top-level constructor key', url: SOURCES, rawBody: '{"id":"ctor-source-b","name":"C","kind":"media","constructor":"Object"}', status: 400, field: 'constructor' },
  { name: 'a nested constructor key', url: CLAIMS, rawBody: '{"sourceId":"harbour-watch","stance":"asserts","reportedAt":"2025-03-06","quantity":{"value":1,"unit":"litres","qualifier":"exact","constructor":{"name":"x"}}}', status: 400, field: 'quantity.constructor' },
  // nesting: refused before anything walks the body (a recursive walk overflowed the stack at ~1,500 levels)
  { name: 'a body nested 1,500 levels deep', url: SOURCES, rawBody: nested(1500), status: 400, field: '' },
  { name: 'a body nested 100,000 levels deep', url: DEVELOPMENTS, rawBody: nested(100_000, 'claim'), status: 400, field: '' },
  { name: 'an array nested 1,500 levels deep in a field', url: DEVELOPMENTS, rawBody: JSON.stringify(development('id', 'deep-array')).replace('"actors":', `"actors":${deepArray(1500)},"x":`), status: 400, field: '' },
  { name: 'a body nested 1,500 levels deep with an Idempotency-Key', url: SOURCES, rawBody: nested(1500, 'kind'), headers: { 'idempotency-key': 'deep-body' }, status: 400, field: '' },
  { name: 'a body nested 65 levels deep (one past the limit)', url: SOURCES, rawBody: nested(65), status: 400, field: '' },
  { name: 'a deep __proto__ key 1,500 levels down', url: SOURCES, rawBody: nested(1500, 'a', '{"__proto__":{"x":1}}'), status: 400 },
  // times outside years 0000-9999 in UTC
  { name: 'reportedAt beyond year 9999 in UTC (9999-12-31T23:00:00-02:00)', url: CLAIMS, body: claim('reportedAt', '9999-12-31T23:00:00-02:00'), status: 400, field: 'reportedAt' },
  { name: 'reportedAt before year 0000 in UTC', url: CLAIMS, body: claim('reportedAt', '0000-01-01T00:30:00+01:00'), status: 400, field: 'reportedAt' },
  { name: 'a retraction beyond year 9999 in UTC', url: '<retraction>', body: aRetraction({ reportedAt: '9999-12-31T23:59:59-00:01' }), status: 400, field: 'reportedAt' },
  // size and media type
  { name: 'a body over 1 MiB', url: DEVELOPMENTS, body: development('summary', 'x'.repeat(1024 * 1024 + 1)), status: 413 },
  { name: 'an XML content type', url: SOURCES, rawBody: '<source><name>X</name></source>', headers: { 'content-type': 'application/xml' }, status: 415 },
  { name: 'a form-encoded content type', url: SOURCES, rawBody: 'name=X&kind=media', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
  { name: 'a text/plain content type carrying JSON', url: SOURCES, rawBody: JSON.stringify(aSource({ id: 'plain-source' })), headers: { 'content-type': 'text/plain' }, status: 415 },
  // numbers and enums out of range
  { name: 'credibility 0', url: CLAIMS, body: claim('credibility', 0), status: 400, field: 'credibility' },
  { name: 'credibility 7', url: CLAIMS, body: claim('credibility', 7), status: 400, field: 'credibility' },
  { name: 'credibility 2.5', url: CLAIMS, body: claim('credibility', 2.5), status: 400, field: 'credibility' },
  { name: 'an unknown stance', url: CLAIMS, body: claim('stance', 'supports'), status: 400, field: 'stance' },
  { name: 'a stance in capitals', url: CLAIMS, body: claim('stance', 'ASSERTS'), status: 400, field: 'stance' },
  { name: 'an unknown source kind', url: SOURCES, body: source('kind', 'blogger'), status: 400, field: 'kind' },
  { name: 'an unknown quantity qualifier', url: CLAIMS, body: claimWithQuantity('quantity.qualifier', 'roughly'), status: 400, field: 'quantity.qualifier' },
  { name: 'reliability G', url: SOURCES, body: source('reliability', 'G'), status: 400, field: 'reliability' },
  { name: 'reliability in lower case', url: SOURCES, body: source('reliability', 'a'), status: 400, field: 'reliability' },
  { name: 'a country that is not ISO alpha-2', url: SOURCES, body: source('country', 'NOR'), status: 400, field: 'country' },
  // ids that are not slugs
  { name: 'a source id with capitals and underscore', url: SOURCES, body: source('id', 'Harbour_Watch'), status: 400, field: 'id' },
  { name: 'a source id longer than 120 characters', url: SOURCES, body: source('id', 'a'.repeat(121)), status: 400, field: 'id' },
  { name: 'a development id with spaces', url: DEVELOPMENTS, body: development('id', 'vestby spill'), status: 400, field: 'id' },
  { name: 'a development id with a leading dash', url: DEVELOPMENTS, body: development('id', '-vestby'), status: 400, field: 'id' },
  { name: 'an empty development id', url: DEVELOPMENTS, body: development('id', ''), status: 400, field: 'id' },
  { name: 'a claim sourceId that is not a slug', url: CLAIMS, body: claim('sourceId', 'Harbour Watch'), status: 400, field: 'sourceId' },
  // unknown ids in the path
  { name: 'a claim on an unknown development', url: '/v1/developments/no-such-development/claims', body: claim('reportedAt', '2025-03-06'), status: 404 },
  { name: 'a retraction of a claim of an unknown development', url: '/v1/developments/no-such-development/claims/no-such-claim/retraction', body: aRetraction(), status: 404 },
  { name: 'a retraction of an unknown claim', url: `/v1/developments/${DEV}/claims/no-such-claim/retraction`, body: aRetraction(), status: 404 },
  { name: 'a correction of an unknown development', url: '/v1/developments/no-such-development/corrections', body: aDevelopmentCorrection({ title: 'x' }), status: 404 },
  { name: 'a correction of an unknown claim', url: `/v1/developments/${DEV}/claims/no-such-claim/corrections`, body: aClaimCorrection({ stance: 'denies' }), status: 404 },
  { name: 'a claim on a path id that is not a slug', url: '/v1/developments/Not%20A%20Slug/claims', body: claim('reportedAt', '2025-03-06'), status: 404 },
  { name: 'a POST to an unknown route', url: '/v1/nowhere', body: {}, status: 404 },
  { name: 'a DELETE of a development', method: 'DELETE', url: `/v1/developments/${DEV}`, status: 404 },
  // empty corrections
  { name: 'an empty development correction', url: CORRECTIONS, body: aDevelopmentCorrection({}), status: 400, field: 'changes' },
  { name: 'an empty claim correction', url: '<claim-corrections>', body: aClaimCorrection({}), status: 400, field: 'changes' },
  // headers
  { name: 'an If-Match that is not a version', url: CLAIMS, body: claim('reportedAt', '2025-03-06'), headers: { 'if-match': 'latest' }, status: 400, field: 'If-Match' },
  { name: 'an If-Match with a negative version', url: CLAIMS, body: claim('reportedAt', '2025-03-06'), headers: { 'if-match': '"-1"' }, status: 400, field: 'If-Match' },
  { name: 'an If-Match with a fractional version', url: CLAIMS, body: claim('reportedAt', '2025-03-06'), headers: { 'if-match': '"1.5"' }, status: 400, field: 'If-Match' },
  // IF_MATCH_TARGET is at version 1 and nothing else writes to it: a lenient parse would append.
  { name: 'an If-Match with an unbalanced quote', url: `/v1/developments/${IF_MATCH_TARGET}/claims`, body: claim('reportedAt', '2025-03-06'), headers: { 'if-match': '"1' }, status: 400, field: 'If-Match' },
  { name: 'an empty Idempotency-Key', url: SOURCES, body: source('id', 'idem-empty'), headers: { 'idempotency-key': '' }, status: 400, field: 'Idempotency-Key' },
  { name: 'an Idempotency-Key with a space', url: SOURCES, body: source('id', 'idem-space'), headers: { 'idempotency-key': 'two words' }, status: 400, field: 'Idempotency-Key' },
  { name: 'an Idempotency-Key over 200 characters', url: SOURCES, body: source('id', 'idem-long'), headers: { 'idempotency-key': 'k'.repeat(201) }, status: 400, field: 'Idempotency-Key' },
];

const badQueries: BadRequest[] = [
  { name: 'asOf=2025-02-30', url: '/v1/knowledge?asOf=2025-02-30', status: 400, field: 'asOf' },
  { name: 'asOf without offset', url: '/v1/knowledge?asOf=2025-03-01T12:00:00', status: 400, field: 'asOf' },
  { name: 'recordedAsOf=2024-13-01 on a development', url: `/v1/developments/${DEV}?recordedAsOf=2024-13-01`, status: 400, field: 'recordedAsOf' },
  { name: 'asOf in words on a development', url: `/v1/developments/${DEV}?asOf=yesterday`, status: 400, field: 'asOf' },
  { name: 'repeated asOf params', url: '/v1/knowledge?asOf=2025-03-01&asOf=2025-03-02', status: 400, field: 'asOf' },
  { name: 'repeated limit params', url: '/v1/knowledge?limit=1&limit=2', status: 400, field: 'limit' },
  { name: 'limit=0', url: '/v1/knowledge?limit=0', status: 400, field: 'limit' },
  { name: 'limit=abc', url: '/v1/knowledge?limit=abc', status: 400, field: 'limit' },
  { name: 'limit=100000', url: '/v1/knowledge?limit=100000', status: 400, field: 'limit' },
  { name: 'limit=501', url: '/v1/knowledge?limit=501', status: 400, field: 'limit' },
  { name: 'limit=-1', url: '/v1/knowledge?limit=-1', status: 400, field: 'limit' },
  { name: 'limit=1.5', url: '/v1/knowledge?limit=1.5', status: 400, field: 'limit' },
  { name: 'status=unknown', url: '/v1/knowledge?status=unknown', status: 400, field: 'status' },
  { name: 'cursor=garbage', url: '/v1/knowledge?cursor=garbage', status: 400, field: 'cursor' },
  { name: 'a well-formed base64 cursor of the wrong shape', url: `/v1/knowledge?cursor=${Buffer.from('{"a":1}').toString('base64url')}`, status: 400, field: 'cursor' },
  { name: 'a cursor whose time is beyond any date (1e20 ms)', url: `/v1/knowledge?cursor=${cursor(0, DEV, 1e20)}`, status: 400, field: 'cursor' },
  { name: 'a cursor whose time is fractional', url: `/v1/knowledge?cursor=${cursor(0, DEV, 1.5)}`, status: 400, field: 'cursor' },
  { name: 'a cursor whose sort key is fractional', url: `/v1/knowledge?cursor=${cursor(0.5, DEV, 0)}`, status: 400, field: 'cursor' },
  { name: 'a cursor whose sort key is beyond 2^53', url: `/v1/knowledge?cursor=${cursor(1e300, DEV, 0)}`, status: 400, field: 'cursor' },
  { name: 'a cursor whose id is not a slug', url: `/v1/knowledge?cursor=${cursor(0, "x' OR 1=1", 0)}`, status: 400, field: 'cursor' },
  { name: 'a cursor with a fourth field', url: `/v1/knowledge?cursor=${cursor(0, DEV, 0, 1)}`, status: 400, field: 'cursor' },
  { name: 'a recordedAsOf beyond year 9999 in UTC', url: '/v1/knowledge?recordedAsOf=9999-12-31T23:00:00-02:00', status: 400, field: 'recordedAsOf' },
  { name: 'a query parameter nested with brackets', url: `/v1/knowledge?${'a'.repeat(1)}${'[b]'.repeat(2000)}=1`, status: 400 },
  { name: 'occurredFrom=2025-02-30', url: '/v1/knowledge?occurredFrom=2025-02-30', status: 400, field: 'occurredFrom' },
  { name: 'an empty topic', url: '/v1/knowledge?topic=', status: 400, field: 'topic' },
  { name: 'minPosition=abc', url: '/v1/knowledge?minPosition=abc', status: 400, field: 'minPosition' },
  { name: 'minPosition=-5 on a development', url: `/v1/developments/${DEV}?minPosition=-5`, status: 400, field: 'minPosition' },
  { name: 'an unknown query parameter', url: '/v1/knowledge?colour=red', status: 400, field: 'colour' },
  { name: 'a constructor query parameter', url: '/v1/knowledge?constructor=x', status: 400, field: 'constructor' },
  { name: 'changes from=2025-02-30', url: '/v1/knowledge/changes?from=2025-02-30', status: 400, field: 'from' },
  { name: 'changes to before from', url: '/v1/knowledge/changes?from=2025-03-05&to=2025-03-01', status: 400, field: 'to' },
  { name: 'events after=-1', url: '/v1/events?after=-1', status: 400, field: 'after' },
  { name: 'events after beyond 2^53 - 1', url: '/v1/events?after=9999999999999999999', status: 400, field: 'after' },
  { name: 'knowledge minPosition beyond 2^53 - 1', url: '/v1/knowledge?minPosition=9007199254740992', status: 400, field: 'minPosition' },
  { name: 'events after=abc', url: '/v1/events?after=abc', status: 400, field: 'after' },
  { name: 'events limit=0', url: '/v1/events?limit=0', status: 400, field: 'limit' },
  { name: 'events limit=100000', url: '/v1/events?limit=100000', status: 400, field: 'limit' },
  { name: 'events types that are not type names', url: '/v1/events?types=Claim-Reported;drop', status: 400, field: 'types' },
  { name: 'an unknown development', url: '/v1/developments/no-such-development', status: 404 },
  { name: 'the history of an unknown development', url: '/v1/developments/no-such-development/history', status: 404 },
  { name: 'an unknown source', url: '/v1/sources/no-such-source', status: 404 },
  { name: 'a topic holding U+0000', url: '/v1/knowledge?topic=a%00', status: 400, field: '' },
  { name: 'a streamPrefix holding U+0000', url: '/v1/events?streamPrefix=%00', status: 400, field: '' },
  { name: 'a source id holding U+0000', url: '/v1/sources/a%00b', status: 400, field: '' },
  { name: 'a development id holding U+0000', url: '/v1/developments/a%00b', status: 400, field: '' },
  // paths fastify refuses before routing
  { name: 'a path with malformed percent-encoding', url: '/v1/developments/%E0%A4%A', status: 400 },
  { name: 'a path with a percent sign not followed by hex', url: '/v1/%zz/export', status: 400 },
  { name: 'a docs path with malformed percent-encoding', url: '/docs/%zz', status: 400 },
  { name: 'a development id of 201 characters', url: `/v1/developments/${'a'.repeat(201)}`, status: 414 },
  { name: 'the history of a development id of 5,000 characters', url: `/v1/developments/${'a'.repeat(5000)}/history`, status: 414 },
  { name: 'a source id of 120 characters that was never registered (the longest slug is routed)', url: `/v1/sources/${'a'.repeat(120)}`, status: 404 },
  { name: 'an unknown path', url: '/nowhere', status: 404 },
];

describe('malformed requests', () => {
  let app: TestApp;
  let headBefore: number;

  beforeAll(async () => {
    app = await startTestApp();
    created(await app.post(SOURCES, aSource()));
    claimId = created(await app.post(DEVELOPMENTS, aDevelopment({ id: DEV }))).claimId!;
    created(await app.post(DEVELOPMENTS, aDevelopment({ id: IF_MATCH_TARGET, title: 'If-Match target', occurred: undefined })));
    headBefore = await headPosition(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  const urlOf = (url: string) => (url === '<retraction>' ? retraction() : url === '<claim-corrections>' ? claimCorrections() : url);

  async function expectRefused(bad: BadRequest, method: string) {
    const before = await headPosition(app);
    const response = await app.request(method, urlOf(bad.url), { body: bad.body, rawBody: bad.rawBody, headers: bad.headers });

    expect({ status: response.status, contentType: String(response.headers['content-type']) }).toEqual({
      status: bad.status,
      contentType: expect.stringMatching(/^application\/problem\+json/),
    });
    expect(response.body).toEqual(
      expect.objectContaining({ type: expect.any(String), title: expect.any(String), status: bad.status, detail: expect.any(String) }),
    );
    if (bad.field !== undefined) {
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field: bad.field, message: expect.any(String) }]));
      for (const error of response.body.errors) expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
    }
    expect(await headPosition(app)).toBe(before);
  }

  it.each(badBodies.map((bad) => [bad.name, bad] as const))('refuses %s with a problem and stores nothing', async (_name, bad) => {
    await expectRefused(bad, bad.method ?? 'POST');
  });

  it.each(badQueries.map((bad) => [bad.name, bad] as const))('refuses the query %s with a problem', async (_name, bad) => {
    await expectRefused(bad, bad.method ?? 'GET');
  });

  it('stored nothing over the whole battery: the log head and the development are as before', async () => {
    expect(await headPosition(app)).toBe(headBefore);
    const view = await app.get(`/v1/developments/${DEV}`);
    expect(view.status).toBe(200);
    expect(view.body.claims).toHaveLength(1);
    expect(view.body.title).toBe('Oil spill in Vestby harbour');
    const sources = await app.get('/v1/sources');
    expect(sources.body.items.map((s: { id: string }) => s.id)).toEqual(['harbour-watch']);
    const developments = await app.get('/v1/knowledge');
    expect(developments.body.items.map((d: { id: string }) => d.id)).toEqual([DEV, IF_MATCH_TARGET]);
  });
});

/** Requests Node's HTTP parser refuses before fastify routes them: only a real socket sends them. */
const unparsable: { name: string; request: string; status: number }[] = [
  { name: 'a Content-Length that is not a number', request: 'POST /v1/sources HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}', status: 400 },
  { name: 'both Transfer-Encoding and Content-Length', request: 'POST /v1/sources HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}', status: 400 },
  { name: 'a header name with a space', request: 'GET /v1/sources HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n', status: 400 },
  { name: 'an unknown HTTP version', request: 'GET /v1/sources HTTP/7.1\r\nHost: x\r\n\r\n', status: 400 },
  { name: 'headers over 16 KiB', request: `GET /v1/sources HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`, status: 431 },
  { name: 'a 20,000-character path', request: `GET /v1/developments/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, status: 431 },
];

describe('malformed HTTP on a socket', () => {
  let app: TestApp;
  let port: number;

  beforeAll(async () => {
    app = await startTestApp();
    port = await listening(app.app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each(unparsable.map((bad) => [bad.name, bad] as const))('answers %s with a problem and closes the connection', async (_name, bad) => {
    const before = await headPosition(app);
    const response = await rawRequest(port, bad.request);

    expect({ status: response.status, contentType: response.headers['content-type'], connection: response.headers.connection }).toEqual({
      status: bad.status,
      contentType: 'application/problem+json',
      connection: 'close',
    });
    expect(JSON.parse(response.body)).toEqual({ type: expect.any(String), title: expect.any(String), status: bad.status, detail: expect.any(String) });
    expect(await headPosition(app)).toBe(before);
  });

  it('answers a HEAD it cannot parse with a problem\'s headers and no body, so the client reads no garbage', async () => {
    const response = await rawRequest(port, 'HEAD /v1/sources?a=\x01 HTTP/1.1\r\nHost: x\r\n\r\n');

    expect({ status: response.status, contentType: response.headers['content-type'], connection: response.headers.connection, body: response.body }).toEqual({
      status: 400,
      contentType: 'application/problem+json',
      connection: 'close',
      body: '',
    });
  });

  it('answers a HEAD of the live stream with its headers and ends it, holding no stream open', async () => {
    const response = await rawRequest(port, 'HEAD /v1/events/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');

    expect({ status: response.status, contentType: response.headers['content-type'], body: response.body }).toEqual({
      status: 200,
      contentType: expect.stringMatching(/^text\/event-stream/),
      body: '',
    });
    expect(app.app.get(LiveEventStreams).open).toBe(0);
  });
});
