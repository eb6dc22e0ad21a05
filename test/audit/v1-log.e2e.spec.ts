import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditLeafHash } from '../../src/audit/audit-leaf';
import { ExportEntry, ExportHeader, parseEntry, parseHeader } from '../../src/audit/export-format';
import { ExportVerification } from '../../src/audit/export-verifier';
import { ImportClock, importLog } from '../../src/audit/log-import';
import { toHex } from '../../src/audit/merkle/merkle-hash';
import { fileLines } from '../../src/audit/ndjson-file';
import { StorageConfig, openStorage } from '../../src/bootstrap/open-storage';
import { aManualClock } from '../support/builders';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';
import { TestApp, dropTestSchemas, startTestApp } from '../support/test-app';
import { loggedEvents } from './support/history';

/**
 * Issue 13: a log written by the code of commit 3649cf9 (schema version 1 of every event type),
 * exported as a file (test/fixtures/make-v1-log.ts wrote it), stays readable by today's code: it
 * imports as it was, verifies to the same root, is served byte for byte, and its views are
 * the ones written out below. The file is never regenerated: change the expected views instead.
 */
const FIXTURE = join(__dirname, '..', 'fixtures', 'v1-log.ndjson');

const [headerText, ...entryTexts] = readFileSync(FIXTURE, 'utf8').trim().split('\n');

function parsed<T>(value: T | string): T {
  if (typeof value === 'string') throw new Error(`${FIXTURE}: ${value}`);
  return value;
}
const header: ExportHeader = parsed(parseHeader(headerText));
const entries: ExportEntry[] = entryTexts.map((line) => parsed(parseEntry(line)));
const EVENTS = entries.length;

/** An entry's event exactly as the file has it: the text after `"event":`, up to the line's closing brace. */
const eventTextOf = (line: string): string => line.slice(line.indexOf(',"event":') + ',"event":'.length, -1);

/** The id the fixture gave the claim `sourceId` reported on `developmentId` (each pair is reported once there). */
function claimIdOf(developmentId: string, sourceId: string): string {
  const reported = entries
    .map(({ event }) => event)
    .filter((event) => event.type === 'ClaimReported' && event.data.developmentId === developmentId && event.data.sourceId === sourceId);
  if (reported.length !== 1) throw new Error(`${developmentId} has ${reported.length} claims of ${sourceId} in the fixture`);
  return String(reported[0].data.claimId);
}

/** The app's now: after everything the fixture recorded (the last event is from 2024-10-29). */
const NOW = '2025-01-15T12:00:00.000Z';

type StoreUnderTest = Readonly<{ storage: StorageConfig; env: Record<string, string>; cleanup(): Promise<void> }>;

async function anSqliteStore(dataDir: string): Promise<StoreUnderTest> {
  return { storage: { dataDir, eventStore: 'sqlite' }, env: { TIMELINE_EVENT_STORE: 'sqlite' }, cleanup: async () => undefined };
}

async function aPostgresStore(dataDir: string): Promise<StoreUnderTest> {
  const schema = await aPostgresSchema();
  return {
    storage: { dataDir, eventStore: 'postgres', databaseUrl: schema.url },
    env: { TIMELINE_EVENT_STORE: 'postgres', DATABASE_URL: schema.url },
    cleanup: () => schema.drop(),
  };
}

/** What `npm run cli -- import FILE` does: open the empty store with an import clock and load the file into it. */
async function importFixture(config: StorageConfig): Promise<ExportVerification> {
  const clock = new ImportClock();
  const storage = await openStorage(config, clock);
  try {
    return await importLog(() => fileLines(FIXTURE), storage.eventStore, clock);
  } finally {
    await storage.close();
  }
}

function v1LogTests(aStore: (dataDir: string) => Promise<StoreUnderTest>): void {
  let dataDir: string;
  let store: StoreUnderTest | undefined;
  let imported: ExportVerification;
  let app: TestApp | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'timeline-v1-log-'));
    store = await aStore(dataDir);
    imported = await importFixture(store.storage);
    app = await startTestApp({ dataDir, clock: aManualClock(NOW), env: store.env });
    const caughtUp = await app.get(`/v1/knowledge?minPosition=${EVENTS}`);
    if (caughtUp.status !== 200) throw new Error(`projections did not reach ${EVENTS}: ${caughtUp.text}`);
  });
  afterAll(async () => {
    await app?.close();
    await store?.cleanup();
    await dropTestSchemas();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const get = (url: string) => app!.get(url);

  it('imports every event of the file, checked against its signed tree head', () => {
    expect(EVENTS).toBe(131);
    expect(imported).toEqual(expect.objectContaining({ ok: true, events: EVENTS, rootHash: header.treeHead.rootHash }));
  });

  it("verifies, to the root hash of the export's tree head", async () => {
    expect((await get('/v1/audit/verify')).body).toEqual({ ok: true, treeSize: EVENTS, rootHash: header.treeHead.rootHash });
    expect((await get('/v1/audit/tree-head')).body).toEqual(expect.objectContaining({ treeSize: EVENTS, rootHash: header.treeHead.rootHash }));
  });

  it('serves every event exactly as the file holds it: the same JSON text, data and metadata included, and leaf hash', async () => {
    const served = await loggedEvents(app!);
    expect(served.map((event) => JSON.stringify(event))).toEqual(entryTexts.map(eventTextOf));
    expect(served.map((event) => toHex(auditLeafHash(event as never)))).toEqual(entries.map((entry) => entry.leafHash));
    // A development's history is the same events.
    const history = (await get('/v1/developments/vestby-ferry-cancellations/history')).body.items;
    expect(history.map((event: unknown) => JSON.stringify(event))).toEqual(
      entryTexts.filter((_, i) => entries[i].event.streamId === 'development-vestby-ferry-cancellations').map(eventTextOf),
    );
  });

  it.each([
    ['2024-05-01', 'now', 5],
    ['2024-10-06', 'now', 9],
    ['2024-10-18', 'now', 27],
    ['2024-10-31', 'now', 36],
    ['2024-10-31', '2024-10-20', 7],
    ['2024-10-31', '2024-10-27', 36],
  ])("replays the raw log as of %s, recorded as of %s, to the read model's answer: %s developments", async (asOf, recordedAsOf, developments) => {
    const query = recordedAsOf === 'now' ? `asOf=${asOf}` : `asOf=${asOf}&recordedAsOf=${recordedAsOf}`;
    const replay = (await get(`/v1/audit/replay?${query}`)).body;
    expect(replay).toEqual(expect.objectContaining({ position: EVENTS, matchesReadModel: true }));
    expect(replay.items).toHaveLength(developments);
  });

  // ────────────────────────────────────────────────────────────────────────────────────────────────
  // VIEW EXPECTATIONS, in the v2 shapes the upcasters give v1 events: occurred as {edtf, earliest,
  // latest, label}, quantities with their measure (the unit, as v1 gave none), estimates per (measure,
  // unit) with each source's latest figure. The fixture stays as it is, and what it means stays the same.
  // ────────────────────────────────────────────────────────────────────────────────────────────────
  describe('views of the v1 log', () => {
    /** A view's knowledge: what the status rules and the fields say, the claims as (id, source, stance, time, figure). */
    async function viewOf(id: string, query: string) {
      const response = await get(`/v1/developments/${id}?${query}`);
      if (response.status === 404) return 'not known';
      expect(response.status).toBe(200);
      const { status, assertedBy, confirmedBy, deniedBy, assessedBy, noEvidenceBy, estimates, occurred, topics, firstReportedAt, lastReportedAt, claims } = response.body;
      return {
        status,
        assertedBy,
        confirmedBy,
        deniedBy,
        assessedBy,
        noEvidenceBy,
        estimates,
        occurred,
        topics,
        firstReportedAt,
        lastReportedAt,
        claims: claims.map((claim: Record<string, unknown>) => [claim.id, (claim.source as { id: string }).id, claim.stance, claim.reportedAt, claim.quantity]),
      };
    }
    type Figure = { value: number; unit: string; qualifier: string };
    type ClaimRow = [id: string, sourceId: string, stance: string, reportedAt: string, quantity: (Figure & { measure: string }) | null];
    /** A v1 quantity reads with its unit as its measure. */
    const seedClaim = (id: string, sourceId: string, stance: string, reportedAt: string, quantity: Figure | null = null): ClaimRow => [
      id,
      sourceId,
      stance,
      reportedAt,
      quantity && { measure: quantity.unit, ...quantity },
    ];
    const claim = (developmentId: string, sourceId: string, stance: string, reportedAt: string, quantity: Figure | null = null): ClaimRow =>
      seedClaim(claimIdOf(developmentId, sourceId), sourceId, stance, reportedAt, quantity);
    /** The estimate of one unit from these claims (each source's latest figure, in source order). */
    const estimate = (low: number, high: number, figures: ClaimRow[]) => ({
      measure: figures[0][4]!.measure,
      unit: figures[0][4]!.unit,
      low,
      high,
      figures: figures.map(([claimId, sourceId, , reportedAt, quantity]) => ({ claimId, sourceId, reportedAt, qualifier: quantity!.qualifier, value: quantity!.value })),
    });
    const NO_ASSESSMENTS = { assessedBy: [], noEvidenceBy: [] };

    const OIL = 'vestby-oil-spill';
    const oilOccurred = { edtf: '2024-10-03/2024-10-04', earliest: '2024-10-03', latest: '2024-10-04', label: 'early October 2024' };
    const oilClaims = [
      claim(OIL, 'harbour-watch', 'asserts', '2024-10-05', { value: 2000, unit: 'litres', qualifier: 'about' }),
      claim(OIL, 'nordlys-shipping', 'denies', '2024-10-06'),
      claim(OIL, 'clean-fjord', 'asserts', '2024-10-06', { value: 3000, unit: 'litres', qualifier: 'at-most' }),
      claim(OIL, 'coast-guard', 'confirms', '2024-10-07T12:00:00.000Z', { value: 1500, unit: 'litres', qualifier: 'at-least' }),
    ];
    const [oilHarbourWatch, , oilCleanFjord, oilCoastGuard] = oilClaims;
    const oilAsOfEnd = {
      status: 'confirmed',
      assertedBy: ['clean-fjord', 'harbour-watch'],
      confirmedBy: ['coast-guard'],
      deniedBy: ['nordlys-shipping'],
      ...NO_ASSESSMENTS,
      estimates: [estimate(1500, 3000, [oilCleanFjord, oilCoastGuard, oilHarbourWatch])],
      occurred: oilOccurred,
      topics: ['vestby-harbour', 'pollution'],
      firstReportedAt: '2024-10-05',
      lastReportedAt: '2024-10-07T12:00:00.000Z',
      claims: oilClaims,
    };

    const PIER = 'vestby-pier-fire';
    const pierClaims = [
      claim(PIER, 'maritime-authority', 'asserts', '2024-10-08T10:00:00.000Z', { value: 3, unit: 'injured', qualifier: 'exact' }),
      claim(PIER, 'vestby-municipality', 'asserts', '2024-10-09', { value: 5, unit: 'injured', qualifier: 'at-most' }),
    ];
    const pierAsOfEnd = {
      status: 'corroborated',
      assertedBy: ['maritime-authority', 'vestby-municipality'],
      confirmedBy: [],
      deniedBy: [],
      ...NO_ASSESSMENTS,
      estimates: [estimate(3, 5, pierClaims)],
      // As corrected on 2024-10-28: a correction applies at every knowledge time. Instants stay instants.
      occurred: {
        edtf: '2024-10-08T08:30:00.000Z/2024-10-08T11:00:00.000Z',
        earliest: '2024-10-08T08:30:00.000Z',
        latest: '2024-10-08T11:00:00.000Z',
        label: 'late morning to early afternoon',
      },
      topics: ['vestby-harbour', 'fire-safety'],
      firstReportedAt: '2024-10-08T10:00:00.000Z',
      lastReportedAt: '2024-10-09',
      claims: pierClaims,
    };

    const FERRY = 'vestby-ferry-cancellations';
    const ferryClaim = claim(FERRY, 'vestby-municipality', 'confirms', '2024-10-11', { value: 30, unit: 'departures', qualifier: 'about' });
    const ferryAsFirstRecorded = claim(FERRY, 'vestby-municipality', 'asserts', '2024-10-11', { value: 40, unit: 'departures', qualifier: 'at-least' });
    const ferryAsOfEnd = {
      // As corrected on 2024-10-28: the claim was a confirmation of about 30.
      status: 'confirmed',
      assertedBy: [],
      confirmedBy: ['vestby-municipality'],
      deniedBy: [],
      ...NO_ASSESSMENTS,
      estimates: [estimate(30, 30, [ferryClaim])],
      occurred: { edtf: '2024-10-10/..', earliest: '2024-10-10', latest: null, label: 'from 10 October 2024 (ongoing)' },
      topics: ['vestby-harbour', 'transport'],
      firstReportedAt: '2024-10-11',
      lastReportedAt: '2024-10-11',
      claims: [ferryClaim],
    };

    const DREDGING = 'vestby-dredging-permit';
    const dredgingRetracted = {
      status: 'retracted',
      assertedBy: [],
      confirmedBy: [],
      deniedBy: [],
      ...NO_ASSESSMENTS,
      estimates: [],
      occurred: { edtf: '../2024-09-30', earliest: null, latest: '2024-09-30', label: 'by the end of September 2024' },
      topics: ['vestby-harbour'],
      firstReportedAt: '2024-10-10',
      lastReportedAt: '2024-10-10',
      claims: [],
    };

    const SMUGGLING = 'vestby-smuggling-rumour';
    const smugglingDisputed = {
      status: 'disputed',
      assertedBy: ['dockside-tipster'],
      confirmedBy: [],
      deniedBy: ['pst'],
      ...NO_ASSESSMENTS,
      estimates: [],
      // A v1 occurred with only a label reads as a label and no EDTF.
      occurred: { edtf: null, earliest: null, latest: null, label: 'some time in 2024' },
      topics: ['vestby-harbour'],
      firstReportedAt: '2024-10-16',
      lastReportedAt: '2024-10-18',
      claims: [claim(SMUGGLING, 'dockside-tipster', 'asserts', '2024-10-16'), claim(SMUGGLING, 'pst', 'denies', '2024-10-18')],
    };

    // The article as the seed of 3649cf9 wrote it, read from the fixture: not today's src/seed data
    // (rebuilt by SOURCING.md's rules), which must never change what this old log says.
    const TROOPS = 'north-korean-troops-sent-to-russia';
    const troopsOccurred = {
      edtf: '2024-10-08/..',
      earliest: '2024-10-08',
      latest: null,
      label: 'from 8 October 2024 (first contingent shipped 8-13 October; ongoing as of 23 October)',
    };
    const troopsTopics = ['north-korea-russia', 'troops', 'ukraine-war'];
    const troopsZelensky = seedClaim('troops-zelensky-10000', 'zelensky', 'asserts', '2024-10-17', { value: 10000, unit: 'troops', qualifier: 'about' });
    const troopsKremlin = seedClaim('troops-kremlin-fake-news', 'kremlin', 'denies', '2024-10-18');
    const troopsNis1500 = seedClaim('troops-nis-1500-special-forces', 'sk-nis', 'asserts', '2024-10-18', { value: 1500, unit: 'troops', qualifier: 'exact' });
    const troopsAustin = seedClaim('troops-austin-evidence', 'pentagon', 'confirms', '2024-10-23');
    const troopsKirby = seedClaim('troops-kirby-at-least-3000', 'white-house', 'confirms', '2024-10-23', { value: 3000, unit: 'troops', qualifier: 'at-least' });
    const troopsNis3000 = seedClaim('troops-nis-3000', 'sk-nis', 'asserts', '2024-10-23', { value: 3000, unit: 'troops', qualifier: 'about' });
    const troopsPistorius = seedClaim('troops-pistorius-up-to-12000', 'germany-defence-ministry', 'asserts', '2024-10-23', { value: 12000, unit: 'troops', qualifier: 'at-most' });

    it.each([
      [OIL, '2024-10-06', {
        // The late report (recorded 2024-10-29, reported 2024-10-06) counts at 2024-10-06 as recorded now.
        ...oilAsOfEnd,
        status: 'disputed',
        confirmedBy: [],
        estimates: [estimate(2000, 3000, [oilCleanFjord, oilHarbourWatch])],
        lastReportedAt: '2024-10-06',
        claims: oilAsOfEnd.claims.slice(0, 3),
      }],
      [OIL, '2024-10-18', oilAsOfEnd],
      [OIL, '2024-10-31', oilAsOfEnd],
      [PIER, '2024-10-06', 'not known'],
      [PIER, '2024-10-18', pierAsOfEnd],
      [PIER, '2024-10-31', pierAsOfEnd],
      [FERRY, '2024-10-06', 'not known'],
      [FERRY, '2024-10-18', ferryAsOfEnd],
      [FERRY, '2024-10-31', ferryAsOfEnd],
      [DREDGING, '2024-10-06', 'not known'],
      [DREDGING, '2024-10-11', {
        ...dredgingRetracted,
        status: 'reported',
        assertedBy: ['clean-fjord'],
        claims: [claim(DREDGING, 'clean-fjord', 'asserts', '2024-10-10')],
      }],
      [DREDGING, '2024-10-18', dredgingRetracted],
      [DREDGING, '2024-10-31', dredgingRetracted],
      [SMUGGLING, '2024-10-06', 'not known'],
      [SMUGGLING, '2024-10-18', smugglingDisputed],
      [SMUGGLING, '2024-10-31', smugglingDisputed],
      [TROOPS, '2024-10-06', 'not known'],
      [TROOPS, '2024-10-18', {
        status: 'disputed',
        assertedBy: ['sk-nis', 'zelensky'],
        confirmedBy: [],
        deniedBy: ['kremlin'],
        ...NO_ASSESSMENTS,
        estimates: [estimate(1500, 10000, [troopsNis1500, troopsZelensky])],
        occurred: troopsOccurred,
        topics: troopsTopics,
        firstReportedAt: '2024-10-17',
        lastReportedAt: '2024-10-18',
        claims: [troopsZelensky, troopsKremlin, troopsNis1500],
      }],
      [TROOPS, '2024-10-31', {
        status: 'confirmed',
        assertedBy: ['germany-defence-ministry', 'sk-nis', 'zelensky'],
        confirmedBy: ['pentagon', 'white-house'],
        deniedBy: ['kremlin'],
        ...NO_ASSESSMENTS,
        // The NIS's 3,000 of 23 October supersedes its 1,500 of 18 October: v1 gave both the one measure.
        estimates: [estimate(3000, 12000, [troopsPistorius, troopsNis3000, troopsKirby, troopsZelensky])],
        occurred: troopsOccurred,
        topics: troopsTopics,
        firstReportedAt: '2024-10-17',
        lastReportedAt: '2024-10-23',
        claims: [troopsZelensky, troopsKremlin, troopsNis1500, troopsAustin, troopsKirby, troopsNis3000, troopsPistorius],
      }],
    ])('%s as of %s', async (id, asOf, expected) => {
      expect(await viewOf(id, `asOf=${asOf}`)).toEqual(expected);
    });

    it.each([
      [OIL, {
        // Without the late report, recorded 2024-10-29.
        ...oilAsOfEnd,
        assertedBy: ['harbour-watch'],
        estimates: [estimate(1500, 2000, [oilCoastGuard, oilHarbourWatch])],
        claims: [oilAsOfEnd.claims[0], oilAsOfEnd.claims[1], oilAsOfEnd.claims[3]],
      }],
      [PIER, {
        ...pierAsOfEnd,
        // v1's from == to reads as the single instant.
        occurred: { edtf: '2024-10-08T08:30:00.000Z', earliest: '2024-10-08T08:30:00.000Z', latest: '2024-10-08T08:30:00.000Z', label: null },
        topics: ['vestby-harbour'],
      }],
      [FERRY, {
        ...ferryAsOfEnd,
        status: 'reported',
        assertedBy: ['vestby-municipality'],
        confirmedBy: [],
        estimates: [estimate(40, 40, [ferryAsFirstRecorded])],
        claims: [ferryAsFirstRecorded],
      }],
    ])('%s as of 2024-10-31 as recorded on 2024-10-27, before the corrections and the late report', async (id, expected) => {
      expect(await viewOf(id, 'asOf=2024-10-31&recordedAsOf=2024-10-27')).toEqual(expected);
    });

    it('keeps every claim field the v1 log wrote: quote, publication whole or in part, credibility', async () => {
      const { claims } = (await get(`/v1/developments/${OIL}?asOf=2024-10-31`)).body;
      expect(claims[0]).toEqual({
        id: claimIdOf(OIL, 'harbour-watch'),
        source: { id: 'harbour-watch', name: 'Harbour Watch', kind: 'media', reliability: 'B' },
        stance: 'asserts',
        reportedAt: '2024-10-05',
        likelihood: null,
        quantity: { measure: 'litres', value: 2000, unit: 'litres', qualifier: 'about' },
        quote: 'Around two thousand litres of fuel oil are floating between the piers.',
        publication: { title: 'Oil in the harbour', url: 'https://harbour-watch.example/2024/10/05/oil', publishedAt: '2024-10-05' },
        via: [],
        derivedFrom: null,
        credibility: 3,
      });
      expect(claims[3]).toEqual(
        expect.objectContaining({ source: { id: 'coast-guard', name: 'Norwegian Coast Guard', kind: 'military', reliability: 'B' }, quote: null, publication: { title: 'Coast Guard statement on Vestby' }, credibility: 2 }),
      );
      const pier = (await get(`/v1/developments/${PIER}?asOf=2024-10-31`)).body.claims;
      expect(pier[1]).toEqual(
        expect.objectContaining({ publication: { url: 'https://vestby.example/news/pier-fire', publishedAt: '2024-10-09T07:30:00.000Z' }, credibility: null }),
      );
    });

    it('lists a development with no occurred, no topics and a fractional figure', async () => {
      const [fish] = (await get('/v1/knowledge?asOf=2024-10-31')).body.items.filter((view: { title: string }) =>
        view.title.startsWith('Dead fish'),
      );
      expect(fish).toEqual(
        expect.objectContaining({
          id: 'dead-fish-on-the-vestby-shore-c12bcdcd',
          occurred: null,
          topics: [],
          status: 'reported',
          estimates: [{ measure: 'tonnes', unit: 'tonnes', low: 1.5, high: 1.5, figures: [expect.objectContaining({ value: 1.5 })] }],
        }),
      );
    });
  });
  // ──────────────────────────────────────── END OF VIEW EXPECTATIONS ───────────────────────────────
}

describe('a log written by the code of 3649cf9, imported into SQLite', () => v1LogTests(anSqliteStore));

describeWithPostgres('a log written by the code of 3649cf9, imported into PostgreSQL', () => v1LogTests(aPostgresStore));
