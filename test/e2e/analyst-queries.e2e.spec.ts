import { ManualClock, aClaim, aDevelopment, aManualClock, aRetraction, aSource, created, expectProblem } from '../support/builders';
import { TestApp, TestResponse, startTestApp } from '../support/test-app';

/**
 * Questions an analyst asks (issue 14): who said what (`/v1/sources/:id/claims`, `sourceId=`),
 * topics known then (`/v1/topics`, matched ignoring case, `topic=a,b`), each claim's source
 * embedded with its reliability as of the view, and a development asked before it was known.
 */
describe('analyst questions', () => {
  let app: TestApp;
  let clock: ManualClock;
  /** Transaction times of some writes, to ask as of before them. */
  const recorded: Record<string, string> = {};

  const post = (url: string, body: unknown): Promise<TestResponse> => {
    clock.advance();
    return app.post(url, body);
  };
  const get = async (url: string): Promise<any> => {
    const response = await app.get(url);
    if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${response.text}`);
    return response.body;
  };
  const before = (write: string) => new Date(Date.parse(recorded[write]) - 1).toISOString();
  const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);
  const claimsOf = async (sourceId: string, query: string) =>
    (await get(`/v1/sources/${sourceId}/claims?${query}`)).items.map((item: { developmentId: string; reportedAt: string }) => [item.developmentId, item.reportedAt]);

  let spillClaim: string;
  let retractedClaim: string;

  beforeAll(async () => {
    clock = aManualClock('2025-04-01T08:00:00.000Z');
    app = await startTestApp({ clock });
    created(await post('/v1/sources', aSource({ id: 'harbour-watch', name: 'Harbour Watch', kind: 'media', reliability: 'B' })));
    created(await post('/v1/sources', aSource({ id: 'coast-guard', name: 'Coast Guard', kind: 'military', reliability: undefined })));
    created(await post('/v1/sources', aSource({ id: 'zulu-radio', name: 'Zulu Radio', kind: 'media', reliability: undefined })));

    spillClaim = created(
      await post('/v1/developments', aDevelopment({ id: 'oil-spill', title: 'Oil spill', topics: ['Harbour'], occurred: '2025-03-01', claim: aClaim({ sourceId: 'harbour-watch', reportedAt: '2025-03-05' }) })),
    ).claimId!;
    created(
      await post('/v1/developments', aDevelopment({ id: 'pier-fire', title: 'Pier fire', topics: ['harbour', 'Fire'], occurred: '2025-03-02', claim: aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-06' }) })),
    );
    retractedClaim = created(await post('/v1/developments/pier-fire/claims', aClaim({ sourceId: 'harbour-watch', stance: 'denies', reportedAt: '2025-03-07' }))).claimId!;
    created(await post(`/v1/developments/pier-fire/claims/${retractedClaim}/retraction`, aRetraction({ reportedAt: '2025-03-09' })));
    created(await post('/v1/sources/coast-guard/ratings', { reliability: 'C', reportedAt: '2025-03-08', reason: 'one report contradicted' }));
    recorded.rating = clock.iso();

    const ferry = created(
      await post('/v1/developments', aDevelopment({ id: 'ferry-delay', title: 'Ferry delayed', topics: ['ferry'], occurred: '2025-03-03', claim: aClaim({ sourceId: 'zulu-radio', reportedAt: '2025-03-10' }) })),
    );
    recorded.ferry = clock.iso();
    created(await post('/v1/developments/ferry-delay/claims', aClaim({ sourceId: 'harbour-watch', reportedAt: '2025-03-12' })));
    created(
      await post('/v1/developments/ferry-delay/revisions', {
        changes: { title: 'Ferry cancelled', topics: ['ferry', 'HARBOUR'] },
        reportedAt: '2025-03-13',
        basisClaimId: ferry.claimId,
        reason: 'cancelled the next day',
      }),
    );
    created(
      await post('/v1/developments', aDevelopment({ id: 'late-report', title: 'Late report', topics: [], occurred: '2025-03-04', claim: aClaim({ sourceId: 'harbour-watch', reportedAt: '2025-03-20' }) })),
    );
    recorded.late = clock.iso();
  });
  afterAll(async () => app?.close());

  describe('GET /v1/sources/:id/claims', () => {
    it('lists everything the source said by then, across developments, by reportedAt, each with its development and its title then', async () => {
      const body = await get('/v1/sources/harbour-watch/claims?asOf=2025-03-08');
      expect(body).toEqual({
        asOf: '2025-03-08T23:59:59.999Z',
        recordedAsOf: expect.any(String),
        items: [
          expect.objectContaining({
            id: spillClaim,
            source: { id: 'harbour-watch', name: 'Harbour Watch', kind: 'media', reliability: 'B' },
            stance: 'asserts',
            reportedAt: '2025-03-05',
            developmentId: 'oil-spill',
            developmentTitle: 'Oil spill',
            retractedAt: null,
          }),
          expect.objectContaining({ id: retractedClaim, stance: 'denies', developmentId: 'pier-fire', developmentTitle: 'Pier fire', retractedAt: null }),
        ],
        nextCursor: null,
      });
    });

    it('keeps a retracted claim, with its retraction once it is known, and gives the title as known at asOf', async () => {
      const later = await get('/v1/sources/harbour-watch/claims?asOf=2025-03-31');
      expect(later.items.map((item: { developmentId: string; developmentTitle: string; retractedAt: string | null }) => [item.developmentId, item.developmentTitle, item.retractedAt])).toEqual([
        ['oil-spill', 'Oil spill', null],
        ['pier-fire', 'Pier fire', '2025-03-09'],
        ['ferry-delay', 'Ferry cancelled', null],
        ['late-report', 'Late report', null],
      ]);
      const beforeRevision = await get('/v1/sources/harbour-watch/claims?asOf=2025-03-12');
      expect(beforeRevision.items.at(-1)).toEqual(expect.objectContaining({ developmentId: 'ferry-delay', developmentTitle: 'Ferry delayed' }));
    });

    it('shows nothing recorded after recordedAsOf', async () => {
      expect(await claimsOf('harbour-watch', `asOf=2025-03-31&recordedAsOf=${before('late')}`)).toEqual([
        ['oil-spill', '2025-03-05'],
        ['pier-fire', '2025-03-07'],
        ['ferry-delay', '2025-03-12'],
      ]);
    });

    it('pages with a cursor that pins the first page’s recordedAsOf', async () => {
      const first = await get('/v1/sources/harbour-watch/claims?asOf=2025-03-31&limit=1');
      expect(first.items.map((item: { developmentId: string }) => item.developmentId)).toEqual(['oil-spill']);
      expect(first.nextCursor).toEqual(expect.any(String));
      // Recorded after the first page, reported between its items: the pinned pages do not show it.
      created(await post('/v1/developments/oil-spill/claims', aClaim({ sourceId: 'harbour-watch', reportedAt: '2025-03-06' })));
      const rest: string[] = [];
      for (let cursor = first.nextCursor; cursor !== null; ) {
        const page = await get(`/v1/sources/harbour-watch/claims?asOf=2025-03-31&limit=1&cursor=${encodeURIComponent(cursor)}`);
        expect(page.recordedAsOf).toBe(first.recordedAsOf);
        rest.push(...page.items.map((item: { developmentId: string }) => item.developmentId));
        cursor = page.nextCursor;
      }
      expect(rest).toEqual(['pier-fire', 'ferry-delay', 'late-report']);
      expect(await claimsOf('harbour-watch', 'asOf=2025-03-31')).toEqual([
        ['oil-spill', '2025-03-05'],
        ['oil-spill', '2025-03-06'],
        ['pier-fire', '2025-03-07'],
        ['ferry-delay', '2025-03-12'],
        ['late-report', '2025-03-20'],
      ]);
    });

    it('answers 404 for a source that does not exist, or was not recorded by recordedAsOf', async () => {
      const unknown = await app.get('/v1/sources/nobody/claims');
      expectProblem(unknown, 404);
      expect(unknown.body.detail).toBe("source 'nobody' does not exist");
      expectProblem(await app.get('/v1/sources/harbour-watch/claims?recordedAsOf=2025-03-01'), 404);
    });

    it.each([
      ['a cursor it did not issue', 'cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['a knowledge cursor', `cursor=${Buffer.from(JSON.stringify([0, 'oil-spill', 1])).toString('base64url')}x`, 'cursor'],
      ['a limit of 0', 'limit=0', 'limit'],
      ['a limit over 500', 'limit=501', 'limit'],
      ['a bad asOf', 'asOf=2025-02-30', 'asOf'],
    ])('refuses %s with 400', async (_name, query, field) => {
      const response = await app.get(`/v1/sources/harbour-watch/claims?${query}`);
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
    });
  });

  describe('sourceId on /v1/knowledge', () => {
    it('keeps the developments with an active claim by the source as of asOf', async () => {
      expect(ids(await get('/v1/knowledge?asOf=2025-03-08&sourceId=harbour-watch'))).toEqual(['oil-spill', 'pier-fire']);
      // Its claim on the pier fire is retracted as of 2025-03-09.
      expect(ids(await get('/v1/knowledge?asOf=2025-03-09&sourceId=harbour-watch'))).toEqual(['oil-spill']);
      expect(ids(await get('/v1/knowledge?asOf=2025-03-31&sourceId=harbour-watch'))).toEqual(['oil-spill', 'ferry-delay', 'late-report']);
      expect(ids(await get('/v1/knowledge?asOf=2025-03-08&sourceId=zulu-radio'))).toEqual([]);
      expect(ids(await get('/v1/knowledge?asOf=2025-03-31&sourceId=nobody'))).toEqual([]);
    });

    it('combines with the other filters', async () => {
      expect(ids(await get('/v1/knowledge?asOf=2025-03-31&sourceId=harbour-watch&topic=HARBOUR'))).toEqual(['oil-spill', 'ferry-delay']);
    });

    it('refuses a sourceId that is not a slug with 400', async () => {
      const response = await app.get('/v1/knowledge?sourceId=Not%20A%20Slug');
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'sourceId' })]);
    });
  });

  describe('topics', () => {
    it('lists the topics of the developments known then, ignoring case, with counts', async () => {
      expect(await get('/v1/topics?asOf=2025-03-04')).toEqual({ asOf: '2025-03-04T23:59:59.999Z', recordedAsOf: expect.any(String), items: [] });
      expect((await get('/v1/topics?asOf=2025-03-05')).items).toEqual([{ topic: 'Harbour', developments: 1 }]);
      // `Harbour` and `harbour` are one topic; of two spellings used once each, the least in code-unit order shows.
      expect((await get('/v1/topics?asOf=2025-03-12')).items).toEqual([
        { topic: 'ferry', developments: 1 },
        { topic: 'Fire', developments: 1 },
        { topic: 'Harbour', developments: 2 },
      ]);
      // The ferry's revision adds HARBOUR from 2025-03-13 on.
      expect((await get('/v1/topics?asOf=2025-03-13')).items).toEqual([
        { topic: 'ferry', developments: 1 },
        { topic: 'Fire', developments: 1 },
        { topic: 'HARBOUR', developments: 3 },
      ]);
      expect((await get(`/v1/topics?asOf=2025-03-31&recordedAsOf=${before('ferry')}`)).items).toEqual([
        { topic: 'Fire', developments: 1 },
        { topic: 'Harbour', developments: 2 },
      ]);
    });

    it('matches a topic filter ignoring case, and topic=a,b as any of them', async () => {
      expect(ids(await get('/v1/knowledge?asOf=2025-03-12&topic=HARBOUR'))).toEqual(['oil-spill', 'pier-fire']);
      expect(ids(await get('/v1/knowledge?asOf=2025-03-13&topic=harbour'))).toEqual(['oil-spill', 'pier-fire', 'ferry-delay']);
      expect(ids(await get('/v1/knowledge?asOf=2025-03-31&topic=fire,%20FERRY'))).toEqual(['pier-fire', 'ferry-delay']);
      expect(ids(await get('/v1/knowledge?asOf=2025-03-31&topic=nothing,else'))).toEqual([]);
      const changes = await get('/v1/knowledge/changes?to=2025-03-31&topic=FIRE');
      expect([...new Set(changes.items.map((item: { developmentId: string }) => item.developmentId))]).toEqual(['pier-fire']);
      const replay = await get('/v1/audit/replay?asOf=2025-03-31&topic=Fire,ferry');
      expect({ ids: ids(replay), matches: replay.matchesReadModel }).toEqual({ ids: ['pier-fire', 'ferry-delay'], matches: true });
    });

    it.each([
      ['an empty item', '/v1/knowledge?topic=a,,b'],
      ['21 topics', `/v1/knowledge?topic=${Array.from({ length: 21 }, (_, i) => `t${i}`).join(',')}`],
      ['a topic over 200 characters', `/v1/knowledge?topic=${'x'.repeat(201)}`],
      ['an empty item in changes', '/v1/knowledge/changes?topic=,'],
    ])('refuses %s with 400 naming topic', async (_name, url) => {
      const response = await app.get(url);
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'topic' })]);
    });

    it('takes 20 topics', async () => {
      const topics = [...Array.from({ length: 19 }, (_, i) => `t${i}`), 'fire'].join(',');
      expect(ids(await get(`/v1/knowledge?asOf=2025-03-31&topic=${topics}`))).toEqual(['pier-fire']);
    });
  });

  describe('each claim embeds its source', () => {
    const coastGuardClaim = async (query: string) => (await get(`/v1/developments/pier-fire?${query}`)).claims.find((claim: { source: { id: string } }) => claim.source.id === 'coast-guard');

    it('with its reliability as of the view: a rating shows from its reportedAt on, once recorded', async () => {
      expect((await coastGuardClaim('asOf=2025-03-07')).source).toEqual({ id: 'coast-guard', name: 'Coast Guard', kind: 'military', reliability: null });
      expect((await coastGuardClaim('asOf=2025-03-08')).source).toEqual({ id: 'coast-guard', name: 'Coast Guard', kind: 'military', reliability: 'C' });
      expect((await coastGuardClaim(`asOf=2025-03-08&recordedAsOf=${before('rating')}`)).source.reliability).toBeNull();
    });

    it('in /v1/knowledge pages and the replay alike', async () => {
      const page = await get('/v1/knowledge?asOf=2025-03-08');
      const harbourWatch = { id: 'harbour-watch', name: 'Harbour Watch', kind: 'media', reliability: 'B' };
      // The oil spill's two claims (one added by the paging test), then the pier fire's two.
      expect(page.items.flatMap((view: { claims: { source: unknown }[] }) => view.claims.map((claim) => claim.source))).toEqual([
        harbourWatch,
        harbourWatch,
        { id: 'coast-guard', name: 'Coast Guard', kind: 'military', reliability: 'C' },
        harbourWatch,
      ]);
      const replay = await get('/v1/audit/replay?asOf=2025-03-08');
      expect({ matches: replay.matchesReadModel, items: replay.items }).toEqual({ matches: true, items: page.items });
    });
  });

  describe('a development asked before it was known', () => {
    it('is a 404 saying it is not known as of asOf', async () => {
      const response = await app.get('/v1/developments/late-report?asOf=2025-03-19');
      expectProblem(response, 404);
      expect(response.body).toEqual(
        expect.objectContaining({ type: expect.stringMatching(/not-known$/), detail: "development 'late-report' is not known as of 2025-03-19T23:59:59.999Z" }),
      );
      expect((await get('/v1/developments/late-report?asOf=2025-03-20')).id).toBe('late-report');
    });

    it('still does not exist when it was not recorded by recordedAsOf, or never was', async () => {
      const notRecorded = await app.get(`/v1/developments/late-report?asOf=2025-03-31&recordedAsOf=${before('late')}`);
      expectProblem(notRecorded, 404);
      expect(notRecorded.body.detail).toBe("development 'late-report' does not exist");
      const never = await app.get('/v1/developments/no-such-development');
      expectProblem(never, 404);
      expect(never.body.detail).toBe("development 'no-such-development' does not exist");
    });
  });
});
