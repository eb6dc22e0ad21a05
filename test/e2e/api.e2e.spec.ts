import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upcasters } from '../../src/event-store/upcasters';
import {
  ManualClock,
  aClaim,
  aClaimCorrection,
  aDevelopment,
  aDevelopmentCorrection,
  aManualClock,
  aQuantity,
  aRetraction,
  aSource,
  created,
  expectProblem,
  headPosition,
} from '../support/builders';
import { TestApp, TestResponse, startTestApp } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Timeline HTTP API (harbour incidents scenario)', () => {
  let app: TestApp;
  let clock: ManualClock;

  /** Every write happens one minute after the previous one, so transaction times are distinct and known. */
  const post = (url: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse> => {
    clock.advance();
    return app.post(url, body, headers);
  };

  const view = async (id: string, query = ''): Promise<any> => {
    const response = await app.get(`/v1/developments/${id}${query ? `?${query}` : ''}`);
    if (response.status !== 200) throw new Error(`GET ${id}?${query}: ${response.status} ${response.text}`);
    return response.body;
  };

  const knowledge = async (query: string): Promise<any> => {
    const response = await app.get(`/v1/knowledge?${query}`);
    if (response.status !== 200) throw new Error(`GET /v1/knowledge?${query}: ${response.status} ${response.text}`);
    return response.body;
  };

  const ids = (items: { id: string }[]) => items.map((item) => item.id);

  beforeAll(async () => {
    clock = aManualClock();
    app = await startTestApp({ clock, env: { TIMELINE_PROJECTION_WAIT_MS: '200' } });
    for (const source of [
      aSource(),
      aSource({ id: 'coast-guard', name: 'Norwegian Coast Guard', kind: 'military', reliability: 'A' }),
      aSource({ id: 'ministry-of-ports', name: 'Ministry of Ports', kind: 'government' }),
      aSource({ id: 'fisher-union', name: 'Fishers Union', kind: 'ngo', country: undefined, reliability: undefined }),
      aSource({ id: 'zulu-radio', name: 'Zulu Radio', kind: 'media' }),
      aSource({ id: 'alpha-news', name: 'Alpha News', kind: 'media' }),
    ]) {
      created(await post('/v1/sources', source));
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  describe('sources', () => {
    it('serves a registered source by id and in the list', async () => {
      const one = await app.get('/v1/sources/coast-guard');
      expect(one.status).toBe(200);
      expect(one.body).toEqual({
        id: 'coast-guard',
        name: 'Norwegian Coast Guard',
        kind: 'military',
        country: 'NO',
        affiliation: null,
        reliability: 'A',
        ratings: [],
      });

      const list = await app.get('/v1/sources');
      expect(list.status).toBe(200);
      expect(ids(list.body.items)).toEqual(
        expect.arrayContaining(['alpha-news', 'coast-guard', 'fisher-union', 'harbour-watch', 'ministry-of-ports', 'zulu-radio']),
      );
      expect(list.body.items.find((source: { id: string }) => source.id === 'fisher-union')).toEqual({
        id: 'fisher-union',
        name: 'Fishers Union',
        kind: 'ngo',
        country: null,
        affiliation: null,
        reliability: null,
      });
    });

    it('answers 404 for a source that was never registered', async () => {
      expectProblem(await app.get('/v1/sources/nobody-at-all'), 404);
    });

    it('refuses to register a source id twice with 409 and appends nothing', async () => {
      const before = await headPosition(app);
      const again = await post('/v1/sources', aSource({ name: 'Another Harbour Watch' }));
      expectProblem(again, 409);
      expect(await headPosition(app)).toBe(before);
      expect((await app.get('/v1/sources/harbour-watch')).body.name).toBe('Harbour Watch');
    });
  });

  describe('recording and reading a development', () => {
    it('records a development with its first claim: 201 with id, version, position and claimId', async () => {
      const before = await headPosition(app);
      const response = await post(
        '/v1/developments',
        aDevelopment({ claim: aClaim({ quantity: aQuantity(), quote: 'a sheen across the inner basin', credibility: 3 }) }),
      );
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: 'vestby-oil-spill', version: 1, position: before + 2, claimId: expect.stringMatching(UUID) });

      expect(await view('vestby-oil-spill')).toEqual({
        id: 'vestby-oil-spill',
        title: 'Oil spill in Vestby harbour',
        summary: 'A tanker leaked fuel oil while mooring.',
        category: 'environment',
        occurred: { edtf: '2025-03-03/2025-03-04', earliest: '2025-03-03', latest: '2025-03-04', label: 'early March 2025' },
        location: 'Vestby, Norway',
        actors: ['MT Nordlys'],
        topics: ['vestby-harbour'],
        status: 'reported',
        firstReportedAt: '2025-03-05',
        lastReportedAt: '2025-03-05',
        assertedBy: ['harbour-watch'],
        confirmedBy: [],
        deniedBy: [],
        assessedBy: [],
        noEvidenceBy: [],
        estimates: [
          {
            measure: 'litres',
            unit: 'litres',
            low: 2000,
            high: 2000,
            figures: [{ claimId: response.body.claimId, sourceId: 'harbour-watch', reportedAt: '2025-03-05', value: 2000, qualifier: 'about' }],
          },
        ],
        claims: [
          {
            id: response.body.claimId,
            source: { id: 'harbour-watch', name: 'Harbour Watch', kind: 'media', reliability: 'B' },
            stance: 'asserts',
            reportedAt: '2025-03-05',
            likelihood: null,
            quantity: { measure: 'litres', value: 2000, unit: 'litres', qualifier: 'about' },
            quote: 'a sheen across the inner basin',
            via: [],
            derivedFrom: null,
            publication: null,
            credibility: 3,
          },
        ],
      });
    });

    it('derives a slug id from the title when none is given', async () => {
      const response = created(await post('/v1/developments', aDevelopment({ id: undefined, title: 'Crane Collapse at Pier 4', topics: ['slug-test'] })));
      expect(response.id).toMatch(/^crane-collapse-at-pier-4-[0-9a-f]{8}$/);
      expect((await view(response.id)).title).toBe('Crane Collapse at Pier 4');
    });

    it('adds a claim: 201 with the next version and the new claimId', async () => {
      const first = created(await post('/v1/developments', aDevelopment({ id: 'quay-subsidence', topics: ['quay'] })));
      const second = await post('/v1/developments/quay-subsidence/claims', aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-06' }));
      expect(second.status).toBe(201);
      expect(second.body).toEqual({ id: 'quay-subsidence', version: 2, position: first.position + 1, claimId: expect.stringMatching(UUID) });
      expect(second.body.claimId).not.toBe(first.claimId);
      const claims = (await view('quay-subsidence')).claims;
      expect(claims.map((claim: { id: string }) => claim.id)).toEqual([first.claimId, second.body.claimId]);
    });

    it('refuses to record a development id twice with 409', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'dredger-grounding', topics: ['dredger'] })));
      const before = await headPosition(app);
      expectProblem(await post('/v1/developments', aDevelopment({ id: 'dredger-grounding', title: 'Something else' })), 409);
      expect(await headPosition(app)).toBe(before);
    });

    it('answers 404 for an unknown development id', async () => {
      expectProblem(await app.get('/v1/developments/never-recorded'), 404);
      expectProblem(await app.get('/v1/developments/never-recorded/history'), 404);
    });

    it('answers 404 for a development asked about before its first report (asOf)', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'silt-plume', claim: aClaim({ reportedAt: '2025-03-07T10:00:00Z' }) })));
      expectProblem(await app.get('/v1/developments/silt-plume?asOf=2025-03-06'), 404);
      expectProblem(await app.get('/v1/developments/silt-plume?asOf=2025-03-07T09:59:59Z'), 404);
      expect((await view('silt-plume', 'asOf=2025-03-07T10:00:00Z')).status).toBe('reported');
    });

    it('reads asOf=YYYY-MM-DD as the end of that day, UTC', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'tide-gauge-failure', claim: aClaim({ reportedAt: '2025-03-06T23:00:00Z' }) })));
      expect((await view('tide-gauge-failure', 'asOf=2025-03-06')).firstReportedAt).toBe('2025-03-06T23:00:00.000Z');
      expectProblem(await app.get('/v1/developments/tide-gauge-failure?asOf=2025-03-06T22:59:59Z'), 404);
      // An instant with an offset is compared as the UTC instant it names.
      expect((await view('tide-gauge-failure', 'asOf=2025-03-07T00:00:00%2B01:00')).status).toBe('reported');
      expectProblem(await app.get('/v1/developments/tide-gauge-failure?asOf=2025-03-07T00:59:59%2B02:00'), 404);
    });

    it('stores and answers an instant given with an offset as its UTC instant, in the view, the history and the log', async () => {
      const recorded = created(
        await post(
          '/v1/developments',
          aDevelopment({
            id: 'jetty-fire',
            topics: ['jetty'],
            occurred: { from: '2025-03-08', to: '2025-03-08T18:00:00+02:00' },
            claim: aClaim({ reportedAt: '2025-03-08T20:30:00+02:00', publication: { title: 'Harbour Watch', publishedAt: '2025-03-08T21:00:00-01:00' } }),
          }),
        ),
      );
      const claim = created(await post('/v1/developments/jetty-fire/claims', aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-09T00:15:00+01:00' })));
      created(await post(`/v1/developments/jetty-fire/claims/${claim.claimId}/retraction`, aRetraction({ reportedAt: '2025-03-10T09:00:00+09:00' })));

      const jetty = await view('jetty-fire', 'asOf=2025-03-09');
      expect(jetty.occurred).toEqual(expect.objectContaining({ edtf: '2025-03-08/2025-03-08T16:00:00.000Z', earliest: '2025-03-08', latest: '2025-03-08T16:00:00.000Z' }));
      expect(jetty.firstReportedAt).toBe('2025-03-08T18:30:00.000Z');
      expect(jetty.claims.map((c: { reportedAt: string }) => c.reportedAt)).toEqual(['2025-03-08T18:30:00.000Z', '2025-03-08T23:15:00.000Z']);
      expect(jetty.claims[0].publication.publishedAt).toBe('2025-03-08T22:00:00.000Z');
      const history = await app.get('/v1/developments/jetty-fire/history');
      const stored = JSON.stringify(history.body.items);
      expect(stored).not.toMatch(/[+-]\d{2}:\d{2}"/);
      expect(history.body.items.at(-1).data.reportedAt).toBe('2025-03-10T00:00:00.000Z');
      const log = await app.get(`/v1/events?after=${recorded.position - 1}&limit=10`);
      expect(JSON.stringify(log.body.items)).not.toMatch(/[+-]\d{2}:\d{2}"/);
    });

    it('refuses a reportedAt that is beyond year 9999 in UTC, naming the field, and stores nothing', async () => {
      const before = await headPosition(app);
      const response = await post('/v1/developments', aDevelopment({ id: 'far-future', topics: ['far-future'], claim: aClaim({ reportedAt: '9999-12-31T23:00:00-02:00' }) }));
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([{ field: 'claim.reportedAt', message: expect.stringContaining('0000-9999') }]);
      expect(await headPosition(app)).toBe(before);
    });

    it('reads a date reportedAt as the start of that day and keeps its day precision in responses', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'net-entanglement', claim: aClaim({ reportedAt: '2025-03-05' }) })));
      const atMidnight = await view('net-entanglement', 'asOf=2025-03-05T00:00:00Z');
      expect(atMidnight.firstReportedAt).toBe('2025-03-05');
      expect(atMidnight.lastReportedAt).toBe('2025-03-05');
      expect(atMidnight.claims[0].reportedAt).toBe('2025-03-05');
      expectProblem(await app.get('/v1/developments/net-entanglement?asOf=2025-03-04T23:59:59.999Z'), 404);
      expectProblem(await app.get('/v1/developments/net-entanglement?asOf=2025-03-04'), 404);
    });

    it('becomes known with the claim it was recorded with, even when a claim reported earlier is added later', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'rope-theft', topics: ['rope'], claim: aClaim({ reportedAt: '2025-03-10' }) })));
      expectProblem(await app.get('/v1/developments/rope-theft?asOf=2025-03-07'), 404);
      const earlier = created(await post('/v1/developments/rope-theft/claims', aClaim({ sourceId: 'fisher-union', reportedAt: '2025-03-07' })));
      // Its first description is what the claim of 10 March made known: not shown before then.
      expectProblem(await app.get('/v1/developments/rope-theft?asOf=2025-03-09'), 404);
      const then = await view('rope-theft', 'asOf=2025-03-10');
      expect(then).toMatchObject({ status: 'corroborated', firstReportedAt: '2025-03-07', lastReportedAt: '2025-03-10' });
      expect(then.claims.map((c: { id: string }) => c.id)).toContain(earlier.claimId);
      // Nor is that claim news before the development was: /v1/knowledge/changes starts with its report.
      const changes = (await app.get('/v1/knowledge/changes?topic=rope&to=2025-03-31')).body.items;
      expect(changes.map((c: { at: string; kind: string }) => `${c.at} ${c.kind}`)).toEqual(['2025-03-10 development-reported', '2025-03-10 claim-reported']);
      // Nor in what its source said, as of a day between.
      const said = async (asOf: string) =>
        (await app.get(`/v1/sources/fisher-union/claims?asOf=${asOf}&limit=500`)).body.items.map((c: { developmentId: string }) => c.developmentId);
      expect(await said('2025-03-08')).not.toContain('rope-theft');
      expect(await said('2025-03-10')).toContain('rope-theft');
    });

    it('reflects a write in the very next read (read-your-writes)', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'ryw-mooring', topics: ['ryw'] })));
      const claim = created(await post('/v1/developments/ryw-mooring/claims', aClaim({ sourceId: 'alpha-news', reportedAt: '2025-03-06' })));
      const read = await view('ryw-mooring');
      expect(read.status).toBe('corroborated');
      expect(read.claims.map((c: { id: string }) => c.id)).toContain(claim.claimId);
      expect((await knowledge('topic=ryw')).items[0].assertedBy).toEqual(['alpha-news', 'harbour-watch']);
      const changes = await app.get('/v1/knowledge/changes?topic=ryw');
      expect(changes.body.items.map((c: { kind: string }) => c.kind)).toContain('status-changed');
      const history = await app.get('/v1/developments/ryw-mooring/history');
      expect(history.body.items.at(-1).position).toBe(claim.position);
    });
  });

  describe('status of a development', () => {
    it('moves from reported to corroborated to disputed to confirmed as claims become known', async () => {
      created(
        await post('/v1/developments', aDevelopment({ id: 'ferry-collision', topics: ['ferry'], claim: aClaim({ sourceId: 'zulu-radio', reportedAt: '2025-03-10' }) })),
      );
      created(await post('/v1/developments/ferry-collision/claims', aClaim({ sourceId: 'alpha-news', reportedAt: '2025-03-11' })));
      created(await post('/v1/developments/ferry-collision/claims', aClaim({ sourceId: 'ministry-of-ports', stance: 'denies', reportedAt: '2025-03-12' })));
      created(await post('/v1/developments/ferry-collision/claims', aClaim({ sourceId: 'fisher-union', stance: 'denies', reportedAt: '2025-03-12' })));
      created(await post('/v1/developments/ferry-collision/claims', aClaim({ sourceId: 'coast-guard', stance: 'confirms', reportedAt: '2025-03-13' })));

      const summary = (body: any) => ({
        status: body.status,
        assertedBy: body.assertedBy,
        confirmedBy: body.confirmedBy,
        deniedBy: body.deniedBy,
      });
      expect(summary(await view('ferry-collision', 'asOf=2025-03-10'))).toEqual({
        status: 'reported',
        assertedBy: ['zulu-radio'],
        confirmedBy: [],
        deniedBy: [],
      });
      expect(summary(await view('ferry-collision', 'asOf=2025-03-11'))).toEqual({
        status: 'corroborated',
        assertedBy: ['alpha-news', 'zulu-radio'],
        confirmedBy: [],
        deniedBy: [],
      });
      expect(summary(await view('ferry-collision', 'asOf=2025-03-12'))).toEqual({
        status: 'disputed',
        assertedBy: ['alpha-news', 'zulu-radio'],
        confirmedBy: [],
        deniedBy: ['fisher-union', 'ministry-of-ports'],
      });
      expect(summary(await view('ferry-collision', 'asOf=2025-03-13'))).toEqual({
        status: 'confirmed',
        assertedBy: ['alpha-news', 'zulu-radio'],
        confirmedBy: ['coast-guard'],
        deniedBy: ['fisher-union', 'ministry-of-ports'],
      });
      const latest = await view('ferry-collision');
      expect(latest.firstReportedAt).toBe('2025-03-10');
      expect(latest.lastReportedAt).toBe('2025-03-13');
    });

    it('does not count two asserting claims of one source as corroboration', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'buoy-missing', topics: ['buoy'], claim: aClaim({ reportedAt: '2025-03-08' }) })));
      created(await post('/v1/developments/buoy-missing/claims', aClaim({ reportedAt: '2025-03-09' })));
      const read = await view('buoy-missing');
      expect(read.status).toBe('reported');
      expect(read.assertedBy).toEqual(['harbour-watch']);
      expect(read.claims).toHaveLength(2);
    });

    it('calls a development that is only denied denied', async () => {
      created(
        await post('/v1/developments', aDevelopment({ id: 'sabotage-rumour', topics: ['rumour'], claim: aClaim({ sourceId: 'zulu-radio', stance: 'denies' }) })),
      );
      created(await post('/v1/developments/sabotage-rumour/claims', aClaim({ sourceId: 'alpha-news', stance: 'denies', reportedAt: '2025-03-06' })));
      const read = await view('sabotage-rumour');
      expect(read.status).toBe('denied');
      expect(read.deniedBy).toEqual(['alpha-news', 'zulu-radio']);
      expect(read.assertedBy).toEqual([]);
    });

    it('gives per unit the min and max of the active claims quantities and how many claims gave one', async () => {
      created(
        await post(
          '/v1/developments',
          aDevelopment({ id: 'diesel-leak', topics: ['diesel'], claim: aClaim({ quantity: aQuantity({ value: 2000, unit: 'litres', qualifier: 'about' }) }) }),
        ),
      );
      const large = created(
        await post(
          '/v1/developments/diesel-leak/claims',
          aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-06', quantity: aQuantity({ value: 5000, unit: 'litres', qualifier: 'at-least' }) }),
        ),
      );
      created(
        await post(
          '/v1/developments/diesel-leak/claims',
          aClaim({ sourceId: 'fisher-union', reportedAt: '2025-03-06', quantity: aQuantity({ value: 3, unit: 'vessels', qualifier: 'exact' }) }),
        ),
      );
      created(await post('/v1/developments/diesel-leak/claims', aClaim({ sourceId: 'alpha-news', reportedAt: '2025-03-06' })));

      /** Each estimate as (measure, unit, low, high, the sources of its figures). */
      const estimates = (body: any) =>
        body.estimates.map((e: { measure: string; unit: string; low: number; high: number; figures: { sourceId: string }[] }) => [
          e.measure,
          e.unit,
          e.low,
          e.high,
          e.figures.map((figure) => figure.sourceId),
        ]);
      expect(estimates(await view('diesel-leak'))).toEqual([
        ['litres', 'litres', 2000, 5000, ['coast-guard', 'harbour-watch']],
        ['vessels', 'vessels', 3, 3, ['fisher-union']],
      ]);
      expect(estimates(await view('diesel-leak', 'asOf=2025-03-05'))).toEqual([['litres', 'litres', 2000, 2000, ['harbour-watch']]]);

      created(await post(`/v1/developments/diesel-leak/claims/${large.claimId}/retraction`, aRetraction({ reportedAt: '2025-03-08' })));
      expect(estimates(await view('diesel-leak'))).toEqual([
        ['litres', 'litres', 2000, 2000, ['harbour-watch']],
        ['vessels', 'vessels', 3, 3, ['fisher-union']],
      ]);
      expect(estimates(await view('diesel-leak', 'asOf=2025-03-07'))[0]).toEqual(['litres', 'litres', 2000, 5000, ['coast-guard', 'harbour-watch']]);
    });
  });

  describe('retractions', () => {
    it('makes a development retracted once every claim is retracted, and leaves earlier asOf reads as they were', async () => {
      const first = created(
        await post('/v1/developments', aDevelopment({ id: 'dock-closure', topics: ['dock'], claim: aClaim({ sourceId: 'ministry-of-ports', reportedAt: '2025-03-06' }) })),
      );
      const second = created(await post('/v1/developments/dock-closure/claims', aClaim({ sourceId: 'zulu-radio', reportedAt: '2025-03-07' })));
      expect((await view('dock-closure')).status).toBe('corroborated');

      const retraction = await post(`/v1/developments/dock-closure/claims/${second.claimId}/retraction`, aRetraction({ reportedAt: '2025-03-09' }));
      expect(retraction.status).toBe(201);
      expect(retraction.body).toEqual({ id: 'dock-closure', version: 3, position: second.position + 1, claimId: second.claimId });
      const afterOne = await view('dock-closure');
      expect(afterOne.status).toBe('reported');
      expect(afterOne.assertedBy).toEqual(['ministry-of-ports']);
      expect(afterOne.claims.map((c: { id: string }) => c.id)).toEqual([first.claimId]);

      created(await post(`/v1/developments/dock-closure/claims/${first.claimId}/retraction`, aRetraction({ reportedAt: '2025-03-10' })));
      const afterAll = await view('dock-closure');
      expect(afterAll.status).toBe('retracted');
      expect(afterAll.assertedBy).toEqual([]);
      expect(afterAll.claims).toEqual([]);

      expect((await view('dock-closure', 'asOf=2025-03-08')).status).toBe('corroborated');
      expect((await view('dock-closure', 'asOf=2025-03-09')).status).toBe('reported');
      expect((await knowledge('topic=dock&status=retracted')).items.map((item: { id: string }) => item.id)).toEqual(['dock-closure']);
    });

    it('refuses to retract a claim twice with 409 and appends nothing', async () => {
      const recorded = created(await post('/v1/developments', aDevelopment({ id: 'crane-fire', topics: ['crane'] })));
      created(await post(`/v1/developments/crane-fire/claims/${recorded.claimId}/retraction`, aRetraction()));
      const before = await headPosition(app);
      expectProblem(await post(`/v1/developments/crane-fire/claims/${recorded.claimId}/retraction`, aRetraction({ reportedAt: '2025-03-21' })), 409);
      expect(await headPosition(app)).toBe(before);
    });

    it('refuses a retraction reported before the claim was reported with 400 naming reportedAt', async () => {
      const recorded = created(await post('/v1/developments', aDevelopment({ id: 'hull-breach', topics: ['hull'], claim: aClaim({ reportedAt: '2025-03-05' }) })));
      const before = await headPosition(app);
      const response = await post(`/v1/developments/hull-breach/claims/${recorded.claimId}/retraction`, aRetraction({ reportedAt: '2025-03-04T23:59:59Z' }));
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'reportedAt' })]);
      expect(await headPosition(app)).toBe(before);
      // The same day is not before: a date is the start of that day.
      expect((await post(`/v1/developments/hull-breach/claims/${recorded.claimId}/retraction`, aRetraction({ reportedAt: '2025-03-05' }))).status).toBe(201);
    });

    it('answers 404 when retracting an unknown claim or a claim of an unknown development', async () => {
      const recorded = created(await post('/v1/developments', aDevelopment({ id: 'winch-failure', topics: ['winch'] })));
      expectProblem(await post('/v1/developments/winch-failure/claims/no-such-claim/retraction', aRetraction()), 404);
      expectProblem(await post(`/v1/developments/no-such-development/claims/${recorded.claimId}/retraction`, aRetraction()), 404);
    });
  });

  describe('corrections', () => {
    it('changes a development from the correction on and keeps the earlier record readable with recordedAsOf', async () => {
      created(
        await post(
          '/v1/developments',
          aDevelopment({ id: 'lighthouse-outage', title: 'Lighthuose outage', topics: ['lights-old'], summary: 'The beacon at Hvitsten went dark.' }),
        ),
      );
      const beforeCorrection = clock.iso();
      const correction = await post(
        '/v1/developments/lighthouse-outage/corrections',
        aDevelopmentCorrection({ title: 'Lighthouse outage', topics: ['lights'] }, 'typo in the title, wrong topic'),
      );
      expect(correction.status).toBe(201);
      expect(correction.body).toEqual({ id: 'lighthouse-outage', version: 2, position: expect.any(Number) });

      const now = await view('lighthouse-outage');
      expect(now.title).toBe('Lighthouse outage');
      expect(now.topics).toEqual(['lights']);
      expect(now.summary).toBe('The beacon at Hvitsten went dark.');
      const then = await view('lighthouse-outage', `recordedAsOf=${beforeCorrection}`);
      expect(then.title).toBe('Lighthuose outage');
      expect(then.topics).toEqual(['lights-old']);

      expect(ids((await knowledge('topic=lights')).items)).toEqual(['lighthouse-outage']);
      expect(ids((await knowledge('topic=lights-old')).items)).toEqual([]);
      expect(ids((await knowledge(`topic=lights-old&recordedAsOf=${beforeCorrection}`)).items)).toEqual(['lighthouse-outage']);
      expect(ids((await knowledge(`topic=lights&recordedAsOf=${beforeCorrection}`)).items)).toEqual([]);
    });

    it('changes a claim (stance, source, reportedAt) from the correction on and recomputes the status', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'pilot-boat-sinking', topics: ['pilot'], claim: aClaim({ reportedAt: '2025-03-08' }) })));
      const second = created(await post('/v1/developments/pilot-boat-sinking/claims', aClaim({ sourceId: 'alpha-news', reportedAt: '2025-03-09' })));
      expect((await view('pilot-boat-sinking')).status).toBe('corroborated');
      const beforeCorrections = clock.iso();

      const stance = await post(`/v1/developments/pilot-boat-sinking/claims/${second.claimId}/corrections`, aClaimCorrection({ stance: 'denies' }));
      expect(stance.status).toBe(201);
      expect(stance.body).toEqual({ id: 'pilot-boat-sinking', version: 3, position: second.position + 1, claimId: second.claimId });
      expect(await view('pilot-boat-sinking')).toMatchObject({ status: 'disputed', assertedBy: ['harbour-watch'], deniedBy: ['alpha-news'] });

      created(await post(`/v1/developments/pilot-boat-sinking/claims/${second.claimId}/corrections`, aClaimCorrection({ sourceId: 'zulu-radio' })));
      expect(await view('pilot-boat-sinking')).toMatchObject({ status: 'disputed', deniedBy: ['zulu-radio'] });

      created(await post(`/v1/developments/pilot-boat-sinking/claims/${second.claimId}/corrections`, aClaimCorrection({ reportedAt: '2025-03-12' })));
      expect(await view('pilot-boat-sinking', 'asOf=2025-03-11')).toMatchObject({ status: 'reported', deniedBy: [] });
      const corrected = await view('pilot-boat-sinking', 'asOf=2025-03-12');
      expect(corrected).toMatchObject({ status: 'disputed', lastReportedAt: '2025-03-12' });
      expect(corrected.claims.find((c: { id: string }) => c.id === second.claimId)).toMatchObject({
        source: { id: 'zulu-radio' },
        stance: 'denies',
        reportedAt: '2025-03-12',
      });

      // As recorded before the corrections, the claim is still alpha-news asserting on 9 March.
      const asRecorded = await view('pilot-boat-sinking', `asOf=2025-03-11&recordedAsOf=${beforeCorrections}`);
      expect(asRecorded).toMatchObject({ status: 'corroborated', assertedBy: ['alpha-news', 'harbour-watch'], deniedBy: [] });
    });

    it('moves a claim off an instant its status turned at: the segments that met there are replaced, none left to overlap the new ones', async () => {
      // Status segments [8, 10), [10, 12), [12, ∞) March; the claim of the 10th moves to the 11th, so the
      // re-derivation starts at the 10th, where a segment starts and the one before it ends.
      created(await post('/v1/developments', aDevelopment({ id: 'buoy-adrift', topics: ['moved-claim'], claim: aClaim({ reportedAt: '2025-03-08' }) })));
      const moved = created(await post('/v1/developments/buoy-adrift/claims', aClaim({ sourceId: 'alpha-news', reportedAt: '2025-03-10' })));
      created(await post('/v1/developments/buoy-adrift/claims', aClaim({ sourceId: 'zulu-radio', stance: 'denies', reportedAt: '2025-03-12' })));
      const statusAsOf = async (day: number) => {
        const { items } = await knowledge(`topic=moved-claim&asOf=2025-03-${String(day).padStart(2, '0')}`);
        return items.map((item: { id: string; status: string }) => `${item.id} ${item.status}`);
      };
      expect(await statusAsOf(9)).toEqual(['buoy-adrift reported']);
      expect(await statusAsOf(10)).toEqual(['buoy-adrift corroborated']);

      created(await post(`/v1/developments/buoy-adrift/claims/${moved.claimId}/corrections`, aClaimCorrection({ reportedAt: '2025-03-11' })));
      expect(await statusAsOf(9)).toEqual(['buoy-adrift reported']);
      expect(await statusAsOf(10)).toEqual(['buoy-adrift reported']);
      expect(await statusAsOf(11)).toEqual(['buoy-adrift corroborated']);
      expect(await statusAsOf(12)).toEqual(['buoy-adrift disputed']);
    });

    it('answers 404 when correcting an unknown claim or development', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'flare-sighting', topics: ['flare'] })));
      expectProblem(await post('/v1/developments/flare-sighting/claims/no-such-claim/corrections', aClaimCorrection({ stance: 'denies' })), 404);
      expectProblem(await post('/v1/developments/no-such-development/corrections', aDevelopmentCorrection({ title: 'x' })), 404);
    });
  });

  describe('transaction time (recordedAsOf)', () => {
    it('lets a late report change last week for recordedAsOf=now but not as recorded before it arrived', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'pier-fire', topics: ['pier-fire'], claim: aClaim({ reportedAt: '2025-03-14' }) })));
      const beforeLateReport = clock.iso();
      const late = created(await post('/v1/developments/pier-fire/claims', aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-15' })));

      const now = await view('pier-fire', 'asOf=2025-03-16');
      expect(now).toMatchObject({ status: 'corroborated', assertedBy: ['coast-guard', 'harbour-watch'], lastReportedAt: '2025-03-15' });
      expect(now.claims.map((c: { id: string }) => c.id)).toContain(late.claimId);

      const asRecorded = await view('pier-fire', `asOf=2025-03-16&recordedAsOf=${beforeLateReport}`);
      expect(asRecorded).toMatchObject({ status: 'reported', assertedBy: ['harbour-watch'], lastReportedAt: '2025-03-14' });
      expect(asRecorded.claims).toHaveLength(1);

      const listNow = await knowledge('topic=pier-fire&asOf=2025-03-16');
      const listThen = await knowledge(`topic=pier-fire&asOf=2025-03-16&recordedAsOf=${beforeLateReport}`);
      expect(listNow.items.map((item: { status: string }) => item.status)).toEqual(['corroborated']);
      expect(listThen.items.map((item: { status: string }) => item.status)).toEqual(['reported']);
      expect(listThen.recordedAsOf).toBe(beforeLateReport);

      // Knowledge time still rules: before the 15th, the late claim was not known either way.
      expect((await view('pier-fire', 'asOf=2025-03-14')).status).toBe('reported');
    });

    it('answers 404 for a development as recorded before it was recorded at all', async () => {
      const beforeRecording = clock.iso();
      created(await post('/v1/developments', aDevelopment({ id: 'mast-collapse', topics: ['mast'] })));
      expectProblem(await app.get(`/v1/developments/mast-collapse?recordedAsOf=${beforeRecording}`), 404);
      expect((await view('mast-collapse', `recordedAsOf=${clock.iso()}`)).status).toBe('reported');
    });
  });

  describe('history', () => {
    it('lists the stored events of a development in version order with their metadata and recordedAt', async () => {
      const recordedAt = new Date(clock.now() + 60_000).toISOString();
      const recorded = created(
        await post('/v1/developments', aDevelopment({ id: 'anchor-drag', topics: ['anchor'] }), { 'x-correlation-id': 'req-anchor-1' }),
      );
      const retractedAt = new Date(clock.now() + 60_000).toISOString();
      created(await post(`/v1/developments/anchor-drag/claims/${recorded.claimId}/retraction`, aRetraction()));
      created(await post('/v1/developments/anchor-drag/corrections', aDevelopmentCorrection({ location: 'Outer Vestby' })));

      const history = await app.get('/v1/developments/anchor-drag/history');
      expect(history.status).toBe(200);
      const items = history.body.items;
      expect(items.map((e: { type: string }) => e.type)).toEqual(['DevelopmentRecorded', 'ClaimReported', 'ClaimRetracted', 'DevelopmentCorrected']);
      expect(items.map((e: { streamVersion: number }) => e.streamVersion)).toEqual([0, 1, 2, 3]);
      expect(items.map((e: { position: number }) => e.position)).toEqual([
        recorded.position - 1,
        recorded.position,
        recorded.position + 1,
        recorded.position + 2,
      ]);
      for (const event of items) {
        expect(event).toEqual({
          position: expect.any(Number),
          streamId: 'development-anchor-drag',
          streamVersion: expect.any(Number),
          eventId: expect.stringMatching(UUID),
          type: expect.any(String),
          data: expect.objectContaining({ developmentId: 'anchor-drag' }),
          // Each type at the version it is written at today (some development events changed shape once).
          metadata: { schemaVersion: upcasters.currentVersion(event.type), correlationId: expect.any(String), causationId: expect.stringMatching(UUID), actor: 'local' },
          recordedAt: expect.any(String),
        });
      }
      expect(items[0].metadata.correlationId).toBe('req-anchor-1');
      expect(items[1].metadata.correlationId).toBe('req-anchor-1');
      expect(items[2].metadata.correlationId).not.toBe('req-anchor-1');
      expect(items[0].recordedAt).toBe(recordedAt);
      expect(items[1].recordedAt).toBe(recordedAt);
      expect(items[2].recordedAt).toBe(retractedAt);
      expect(items[1].data).toMatchObject({ claimId: recorded.claimId, sourceId: 'harbour-watch', stance: 'asserts', reportedAt: '2025-03-05' });
      expect(items[3].data).toEqual({ developmentId: 'anchor-drag', changes: { location: 'Outer Vestby' }, reason: 'typo in the record' });
    });
  });

  describe('GET /v1/knowledge', () => {
    // Occurred: bravo 5-6 Jan, delta only "to 8 Jan", alpha and echo from 10 Jan, charlie unknown.
    const fleet = [
      { id: 'p-echo', occurred: { from: '2025-01-10' } },
      { id: 'p-charlie', occurred: undefined },
      { id: 'p-bravo', occurred: { from: '2025-01-05', to: '2025-01-06' } },
      { id: 'p-alpha', occurred: { from: '2025-01-10T00:00:00Z', label: 'around the 10th' } },
      { id: 'p-delta', occurred: { to: '2025-01-08' } },
    ];
    const ORDER = ['p-bravo', 'p-delta', 'p-alpha', 'p-echo', 'p-charlie'];

    beforeAll(async () => {
      for (const { id, occurred } of fleet) {
        created(await post('/v1/developments', aDevelopment({ id, title: `Fleet ${id}`, occurred, topics: ['fleet', `fleet-${id}`] })));
      }
      created(await post('/v1/developments/p-echo/claims', aClaim({ sourceId: 'ministry-of-ports', stance: 'denies', reportedAt: '2025-03-06' })));
    });

    it('answers asOf, recordedAsOf, items and nextCursor', async () => {
      const body = await knowledge('topic=fleet&asOf=2025-03-31&recordedAsOf=2025-04-30');
      expect(Object.keys(body).sort()).toEqual(['asOf', 'items', 'nextCursor', 'recordedAsOf']);
      expect(body.asOf).toBe('2025-03-31T23:59:59.999Z');
      expect(body.recordedAsOf).toBe('2025-04-30T23:59:59.999Z');
      expect(body.nextCursor).toBeNull();
    });

    it('lists developments in occurred order, unknown last, then by id', async () => {
      expect(ids((await knowledge('topic=fleet')).items)).toEqual(ORDER);
    });

    it('filters by topic', async () => {
      expect(ids((await knowledge('topic=fleet-p-delta')).items)).toEqual(['p-delta']);
      expect(ids((await knowledge('topic=no-such-topic')).items)).toEqual([]);
    });

    it('filters by status', async () => {
      expect(ids((await knowledge('topic=fleet&status=disputed')).items)).toEqual(['p-echo']);
      expect(ids((await knowledge('topic=fleet&status=reported')).items)).toEqual(['p-bravo', 'p-delta', 'p-alpha', 'p-charlie']);
      expect(ids((await knowledge('topic=fleet&status=reported&asOf=2025-03-05')).items)).toEqual(ORDER);
    });

    it('filters by occurred interval overlap, leaving out developments with no known time', async () => {
      expect(ids((await knowledge('topic=fleet&occurredFrom=2025-01-07')).items)).toEqual(['p-delta', 'p-alpha', 'p-echo']);
      expect(ids((await knowledge('topic=fleet&occurredFrom=2025-01-06&occurredTo=2025-01-08')).items)).toEqual(['p-bravo', 'p-delta']);
      expect(ids((await knowledge('topic=fleet&occurredFrom=2025-01-07&occurredTo=2025-01-09')).items)).toEqual(['p-delta']);
      expect(ids((await knowledge('topic=fleet&occurredFrom=2025-01-05T12:00:00Z&occurredTo=2025-01-05T13:00:00Z')).items)).toEqual(['p-bravo', 'p-delta']);
    });

    it('treats an occurred interval with a start and no end as ongoing: it reaches any later occurredFrom', async () => {
      // "from 10 January" with no end (the seed's "from 8 October ... ongoing" is the same shape).
      expect(ids((await knowledge('topic=fleet&occurredFrom=2025-01-11')).items)).toEqual(['p-alpha', 'p-echo']);
    });

    it('treats an occurred interval with an end and no start as open before: it overlaps any earlier occurredTo', async () => {
      // "by 8 January" (date not specified) may have happened on the 4th.
      expect(ids((await knowledge('topic=fleet&occurredTo=2025-01-04')).items)).toEqual(['p-delta']);
      expect(ids((await knowledge('topic=fleet&occurredTo=2025-01-06')).items)).toEqual(['p-bravo', 'p-delta']);
    });

    it('pages with limit and nextCursor until null, with no duplicates and no gaps', async () => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const body: any = await knowledge(`topic=fleet&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        pages.push(ids(body.items));
        cursor = body.nextCursor;
        expect(pages.length).toBeLessThan(10);
      } while (cursor !== null);
      expect(pages).toEqual([
        ['p-bravo', 'p-delta'],
        ['p-alpha', 'p-echo'],
        ['p-charlie'],
      ]);
      const exact = await knowledge('topic=fleet&limit=5');
      expect(exact.items).toHaveLength(5);
      expect(exact.nextCursor).toBeNull();
    });

    it('keeps reading the record of the first page on later pages', async () => {
      const first = await knowledge('topic=fleet&limit=4');
      expect(ids(first.items)).toEqual(ORDER.slice(0, 4));
      created(await post('/v1/developments', aDevelopment({ id: 'p-zulu', title: 'Fleet late', occurred: undefined, topics: ['fleet'] })));
      const second = await knowledge(`topic=fleet&limit=4&cursor=${encodeURIComponent(first.nextCursor)}`);
      expect(ids(second.items)).toEqual(['p-charlie']);
      expect(second.recordedAsOf).toBe(first.recordedAsOf);
      expect(ids((await knowledge('topic=fleet')).items)).toEqual([...ORDER, 'p-zulu']);
    });
  });

  describe('GET /v1/knowledge/changes', () => {
    let lateClaimId: string;
    let beforeLate: string;
    const claimIds: Record<string, string> = {};

    beforeAll(async () => {
      const k1 = created(
        await post('/v1/developments', aDevelopment({ id: 'gull-die-off', topics: ['gulls'], claim: aClaim({ sourceId: 'fisher-union', reportedAt: '2025-02-01' }) })),
      );
      const k2 = created(await post('/v1/developments/gull-die-off/claims', aClaim({ sourceId: 'alpha-news', reportedAt: '2025-02-02T10:00:00Z' })));
      const k3 = created(
        await post('/v1/developments/gull-die-off/claims', aClaim({ sourceId: 'ministry-of-ports', stance: 'denies', reportedAt: '2025-02-03' })),
      );
      created(await post(`/v1/developments/gull-die-off/claims/${k3.claimId}/retraction`, aRetraction({ reportedAt: '2025-02-04' })));
      // Another topic on the same days, which the topic filter must leave out.
      created(await post('/v1/developments', aDevelopment({ id: 'seal-sighting', topics: ['seals'], claim: aClaim({ reportedAt: '2025-02-02' }) })));
      beforeLate = clock.iso();
      // A late report: recorded last, reported between k1 and k2.
      lateClaimId = created(await post('/v1/developments/gull-die-off/claims', aClaim({ sourceId: 'fisher-union', reportedAt: '2025-02-01T12:00:00Z' }))).claimId!;
      Object.assign(claimIds, { k1: k1.claimId, k2: k2.claimId, k3: k3.claimId });
    });

    const changes = async (query: string): Promise<any> => {
      const response = await app.get(`/v1/knowledge/changes?${query}`);
      if (response.status !== 200) throw new Error(`changes?${query}: ${response.status} ${response.text}`);
      return response.body;
    };
    const brief = (items: any[]) =>
      items.map((item) => [item.at, item.kind, item.claimId ?? item.status?.from ?? null, item.sourceId ?? item.status?.to ?? null]);

    it('lists what became known, ordered by knowledge time then position, with kinds and status moves', async () => {
      const body = await changes('topic=gulls&to=2025-02-28');
      expect(brief(body.items)).toEqual([
        ['2025-02-01', 'development-reported', null, 'reported'],
        ['2025-02-01', 'claim-reported', claimIds.k1, 'fisher-union'],
        ['2025-02-01T12:00:00.000Z', 'claim-reported', lateClaimId, 'fisher-union'],
        ['2025-02-02T10:00:00.000Z', 'claim-reported', claimIds.k2, 'alpha-news'],
        ['2025-02-02T10:00:00.000Z', 'status-changed', 'reported', 'corroborated'],
        ['2025-02-03', 'claim-reported', claimIds.k3, 'ministry-of-ports'],
        ['2025-02-03', 'status-changed', 'corroborated', 'disputed'],
        ['2025-02-04', 'claim-retracted', claimIds.k3, 'ministry-of-ports'],
        ['2025-02-04', 'status-changed', 'disputed', 'corroborated'],
      ]);
      for (const item of body.items) {
        expect(item).toMatchObject({ developmentId: 'gull-die-off', position: expect.any(Number) });
      }
      const statusChange = body.items.find((item: { kind: string }) => item.kind === 'status-changed');
      expect(statusChange.status).toEqual({ from: 'reported', to: 'corroborated' });
      expect(body.to).toBe('2025-02-28T23:59:59.999Z');
    });

    it('leaves out a late report when read as recorded before it arrived', async () => {
      const body = await changes(`topic=gulls&to=2025-02-28&recordedAsOf=${beforeLate}`);
      expect(body.items.map((item: { claimId?: string }) => item.claimId)).not.toContain(lateClaimId);
      expect(body.items).toHaveLength(8);
    });

    it('filters by topic', async () => {
      const seals = await changes('topic=seals&to=2025-02-28');
      expect(seals.items.map((item: { developmentId: string }) => item.developmentId)).toEqual(['seal-sighting', 'seal-sighting']);
      const all = await changes('from=2025-01-31&to=2025-02-28');
      const developments = new Set(all.items.map((item: { developmentId: string }) => item.developmentId));
      expect(developments).toEqual(new Set(['gull-die-off', 'seal-sighting']));
    });

    it('treats from as exclusive and to as inclusive', async () => {
      // from=2025-02-01T00:00:00Z is exactly when the development and k1 became known: excluded.
      // to=2025-02-02T10:00:00Z is exactly when k2 became known: included.
      const body = await changes('topic=gulls&from=2025-02-01T00:00:00Z&to=2025-02-02T10:00:00Z');
      expect(brief(body.items)).toEqual([
        ['2025-02-01T12:00:00.000Z', 'claim-reported', lateClaimId, 'fisher-union'],
        ['2025-02-02T10:00:00.000Z', 'claim-reported', claimIds.k2, 'alpha-news'],
        ['2025-02-02T10:00:00.000Z', 'status-changed', 'reported', 'corroborated'],
      ]);
      // A date bound means the end of that day: from=2025-02-01 leaves the whole first day out.
      const byDay = await changes('topic=gulls&from=2025-02-01&to=2025-02-03');
      expect(brief(byDay.items).map(([at, kind]) => `${at} ${kind}`)).toEqual([
        '2025-02-02T10:00:00.000Z claim-reported',
        '2025-02-02T10:00:00.000Z status-changed',
        '2025-02-03 claim-reported',
        '2025-02-03 status-changed',
      ]);
    });

    it('refuses a to before from with 400', async () => {
      expectProblem(await app.get('/v1/knowledge/changes?from=2025-02-03&to=2025-02-01'), 400);
    });
  });

  describe('GET /v1/events', () => {
    it('serves events after a position, limited, filtered by types and stream prefix, with last', async () => {
      const p0 = await headPosition(app);
      created(await post('/v1/sources', aSource({ id: 'events-src', name: 'Events Source' })));
      created(await post('/v1/developments', aDevelopment({ id: 'events-dev', topics: ['events'], claim: aClaim({ sourceId: 'events-src' }) })));
      created(await post('/v1/developments/events-dev/claims', aClaim({ reportedAt: '2025-03-06' })));

      const all = await app.get(`/v1/events?after=${p0}`);
      expect(all.status).toBe(200);
      expect(all.body.items.map((e: { position: number }) => e.position)).toEqual([p0 + 1, p0 + 2, p0 + 3, p0 + 4]);
      expect(all.body.items.map((e: { type: string }) => e.type)).toEqual(['SourceRegistered', 'DevelopmentRecorded', 'ClaimReported', 'ClaimReported']);
      expect(all.body.last).toBe(p0 + 4);

      const page = await app.get(`/v1/events?after=${p0}&limit=2`);
      expect(page.body.items.map((e: { position: number }) => e.position)).toEqual([p0 + 1, p0 + 2]);
      expect(page.body.last).toBe(p0 + 2);
      const rest = await app.get(`/v1/events?after=${page.body.last}&limit=2`);
      expect(rest.body.items.map((e: { position: number }) => e.position)).toEqual([p0 + 3, p0 + 4]);

      const claims = await app.get(`/v1/events?after=${p0}&types=ClaimReported`);
      expect(claims.body.items.map((e: { position: number }) => e.position)).toEqual([p0 + 3, p0 + 4]);
      expect(claims.body.last).toBe(p0 + 4);

      const two = await app.get(`/v1/events?after=${p0}&types=SourceRegistered,DevelopmentRecorded`);
      expect(two.body.items.map((e: { type: string }) => e.type)).toEqual(['SourceRegistered', 'DevelopmentRecorded']);
      expect(two.body.last).toBe(p0 + 2);

      const sources = await app.get(`/v1/events?after=${p0}&streamPrefix=source-`);
      expect(sources.body.items.map((e: { streamId: string }) => e.streamId)).toEqual(['source-events-src']);
      expect(sources.body.last).toBe(p0 + 1);

      const none = await app.get(`/v1/events?after=${p0 + 4}`);
      expect(none.body).toEqual({ items: [], last: p0 + 4 });

      const fromStart = await app.get('/v1/events?limit=1');
      expect(fromStart.body.items[0]).toMatchObject({ position: 1, streamVersion: 0, type: 'SourceRegistered' });
      expect(fromStart.body.last).toBe(1);
    });
  });

  describe('minPosition', () => {
    it('answers 503 problem details within the configured wait when projections cannot reach minPosition', async () => {
      const beyond = (await headPosition(app)) + 1000;
      for (const url of [
        `/v1/knowledge?minPosition=${beyond}`,
        `/v1/developments/vestby-oil-spill?minPosition=${beyond}`,
        `/v1/knowledge/changes?minPosition=${beyond}`,
      ]) {
        const started = Date.now();
        const response = await app.get(url);
        const elapsed = Date.now() - started;
        expectProblem(response, 503);
        expect(elapsed).toBeGreaterThanOrEqual(150);
        expect(elapsed).toBeLessThan(2000);
      }
    });

    it('answers 200 when projections have reached minPosition', async () => {
      const head = await headPosition(app);
      expect((await app.get(`/v1/knowledge?minPosition=${head}`)).status).toBe(200);
      expect((await app.get(`/v1/developments/vestby-oil-spill?minPosition=${head}`)).status).toBe(200);
      expect((await app.get(`/v1/knowledge/changes?minPosition=${head}`)).status).toBe(200);
    });
  });

  describe('If-Match', () => {
    it('appends when If-Match names the current version, refuses a stale one with 409 and a malformed one with 400', async () => {
      const recorded = created(await post('/v1/developments', aDevelopment({ id: 'reefer-fire', topics: ['reefer'] })));
      expect(recorded.version).toBe(1);

      const matching = await post('/v1/developments/reefer-fire/claims', aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-06' }), {
        'if-match': '"1"',
      });
      expect(matching.status).toBe(201);
      expect(matching.body.version).toBe(2);

      const before = await headPosition(app);
      const stale = await post('/v1/developments/reefer-fire/claims', aClaim({ sourceId: 'alpha-news', reportedAt: '2025-03-07' }), { 'if-match': '"1"' });
      expectProblem(stale, 409);
      const malformed = await post('/v1/developments/reefer-fire/claims', aClaim({ sourceId: 'alpha-news', reportedAt: '2025-03-07' }), {
        'if-match': 'version-two',
      });
      expectProblem(malformed, 400);
      expect(await headPosition(app)).toBe(before);
      expect((await view('reefer-fire')).claims).toHaveLength(2);

      const corrected = await post('/v1/developments/reefer-fire/corrections', aDevelopmentCorrection({ title: 'Reefer container fire' }), { 'if-match': '"2"' });
      expect(corrected.status).toBe(201);
      expect(corrected.body.version).toBe(3);
    });
  });

  describe('validation against the record', () => {
    it('answers 404 naming the field when a claim names an unknown source, on record and on claim correction', async () => {
      const before = await headPosition(app);
      const onRecord = await post('/v1/developments', aDevelopment({ id: 'ghost-ship', claim: aClaim({ sourceId: 'unknown-outlet' }) }));
      expectProblem(onRecord, 404);
      expect(onRecord.body.errors).toEqual([{ field: 'claim.sourceId', message: expect.stringContaining('unknown-outlet') }]);
      expectProblem(await app.get('/v1/developments/ghost-ship'), 404);
      expect(await headPosition(app)).toBe(before);

      const recorded = created(await post('/v1/developments', aDevelopment({ id: 'ghost-ship', topics: ['ghost'] })));
      const afterRecord = await headPosition(app);
      const onCorrection = await post(`/v1/developments/ghost-ship/claims/${recorded.claimId}/corrections`, aClaimCorrection({ sourceId: 'unknown-outlet' }));
      expectProblem(onCorrection, 404);
      expect(onCorrection.body.errors).toEqual([{ field: 'changes.sourceId', message: expect.stringContaining('unknown-outlet') }]);
      expect(await headPosition(app)).toBe(afterRecord);
    });

    it('names the body field sourceId when a reported claim names an unknown source', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'phantom-tug', topics: ['phantom'] })));
      const before = await headPosition(app);
      const response = await post('/v1/developments/phantom-tug/claims', aClaim({ sourceId: 'unknown-outlet' }));
      expectProblem(response, 404);
      expect(await headPosition(app)).toBe(before);
      // The body of this endpoint is the claim itself: its field is `sourceId` (as validation errors name it).
      expect(response.body.errors).toEqual([{ field: 'sourceId', message: expect.stringContaining('unknown-outlet') }]);
    });
  });
});

describe('Idempotency-Key', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-idempotency-'));

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers the first response again for the same key and body, 422 for another body, also after a restart', async () => {
    let app = await startTestApp({ dataDir, keepData: true });
    try {
      created(await app.post('/v1/sources', aSource()));
      const key = { 'idempotency-key': 'record-crane-1' };
      const body = aDevelopment({ id: undefined, title: 'Crane toppled', topics: ['crane'] });

      const first = await app.post('/v1/developments', body, key);
      expect(first.status).toBe(201);
      const head = await headPosition(app);

      const again = await app.post('/v1/developments', body, key);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(await headPosition(app)).toBe(head);

      const other = await app.post('/v1/developments', { ...body, title: 'Crane toppled over' }, key);
      expectProblem(other, 422);
      expect(await headPosition(app)).toBe(head);

      // Another endpoint with the same key is another request too.
      expectProblem(await app.post('/v1/sources', aSource({ id: 'crane-watch', name: 'Crane Watch' }), key), 422);
      expect(await headPosition(app)).toBe(head);

      await app.close();
      app = await startTestApp({ dataDir, keepData: true });

      const afterRestart = await app.post('/v1/developments', body, key);
      expect(afterRestart.status).toBe(201);
      expect(afterRestart.body).toEqual(first.body);
      expectProblem(await app.post('/v1/developments', { ...body, title: 'Crane toppled over' }, key), 422);
      expect(await headPosition(app)).toBe(head);

      const list = await app.get('/v1/knowledge?topic=crane');
      expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([first.body.id]);

      // Without the key, the same body is a new request.
      expect((await app.post('/v1/developments', body)).status).toBe(201);
      expect(await headPosition(app)).toBe(head + 2);
    } finally {
      await app.close();
    }
  });
});

describe('Idempotency-Key under concurrency', () => {
  it('runs concurrent requests with one key and one body once, answering each with the same response', async () => {
    const app = await startTestApp();
    try {
      created(await app.post('/v1/sources', aSource()));
      const head = await headPosition(app);
      const key = { 'idempotency-key': 'concurrent-claim-1' };
      created(await app.post('/v1/developments', aDevelopment({ id: 'twin-request' })));
      const body = aClaim({ reportedAt: '2025-03-06' });
      const responses = await Promise.all([1, 2, 3].map(() => app.post('/v1/developments/twin-request/claims', body, key)));
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(responses[1].body).toEqual(responses[0].body);
      expect(responses[2].body).toEqual(responses[0].body);
      expect(await headPosition(app)).toBe(head + 3);
    } finally {
      await app.close();
    }
  });

  it('does not burn a key whose first request was refused', async () => {
    const app = await startTestApp();
    try {
      created(await app.post('/v1/sources', aSource()));
      const key = { 'idempotency-key': 'first-try-refused' };
      expect((await app.post('/v1/developments', aDevelopment({ id: 'retry-me', claim: aClaim({ sourceId: 'not-yet-registered' }) }), key)).status).toBe(404);
      expect((await app.post('/v1/developments', aDevelopment({ id: 'retry-me' }), key)).status).toBe(201);
    } finally {
      await app.close();
    }
  });
});

describe('read-your-writes when the clock steps back', () => {
  it('reflects a write in the next read even after the system clock stepped back (e.g. an NTP correction)', async () => {
    const clock = aManualClock('2025-04-01T10:00:00.000Z');
    const app = await startTestApp({ clock });
    try {
      created(await app.post('/v1/sources', aSource()));
      clock.advance(60_000);
      created(await app.post('/v1/developments', aDevelopment({ id: 'clock-skew' })));
      // The clock steps back two minutes; the store keeps recordedAt monotonic, reads must still see the write.
      clock.advance(-120_000);
      const claim = created(await app.post('/v1/developments/clock-skew/claims', aClaim({ sourceId: 'harbour-watch', reportedAt: '2025-03-06' })));
      const read = await app.get('/v1/developments/clock-skew');
      expect(read.status).toBe(200);
      expect(read.body.claims.map((c: { id: string }) => c.id)).toContain(claim.claimId);
      expect((await app.get('/v1/knowledge')).body.items.map((item: { id: string }) => item.id)).toEqual(['clock-skew']);
    } finally {
      await app.close();
    }
  });
});
