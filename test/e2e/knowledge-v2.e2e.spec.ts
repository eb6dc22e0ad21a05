import { ManualClock, aClaim, aDevelopment, aManualClock, aSource, created, expectProblem } from '../support/builders';
import { TestApp, TestResponse, startTestApp } from '../support/test-app';

/**
 * Knowledge model v2 through the API (SPEC §2): descriptions known in time, stances, origins,
 * estimates by measure, dates of uneven precision. Every view is asked as of dates either side of
 * what it must and must not show.
 */
describe('knowledge model v2 over HTTP', () => {
  let app: TestApp;
  let clock: ManualClock;

  const post = (url: string, body: unknown): Promise<TestResponse> => {
    clock.advance();
    return app.post(url, body);
  };
  const get = async (url: string): Promise<any> => {
    const response = await app.get(url);
    if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${response.text}`);
    return response.body;
  };
  const view = (id: string, query: string) => get(`/v1/developments/${id}?${query}`);

  beforeAll(async () => {
    clock = aManualClock('2025-04-01T08:00:00.000Z');
    app = await startTestApp({ clock });
    for (const source of [
      aSource({ id: 'nis', name: 'National Intelligence Service', kind: 'intelligence', affiliation: 'kr-government' }),
      aSource({ id: 'kr-defence', name: 'Defence ministry', kind: 'military', affiliation: 'kr-government' }),
      aSource({ id: 'ua-intel', name: 'Ukrainian intelligence', kind: 'intelligence' }),
      aSource({ id: 'bbc', name: 'BBC', kind: 'media' }),
      aSource({ id: 'kremlin', name: 'Kremlin', kind: 'government' }),
    ]) {
      created(await post('/v1/sources', source));
    }
  });
  afterAll(async () => app?.close());

  describe('a description is known in knowledge time: revisions, and corrections of them', () => {
    let revisionId: string;

    beforeAll(async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'troops', title: 'Troops prepared', summary: 'Troops are being prepared.', claim: aClaim({ sourceId: 'nis', reportedAt: '2024-10-18' }) })));
      const revision = created(
        await post('/v1/developments/troops/revisions', {
          changes: { title: 'About 3,000 troops sent', topics: ['deployment'] },
          reportedAt: '2024-10-23',
          basisClaimId: undefined,
          reason: 'the NIS gave figures on 23 October',
        }),
      );
      revisionId = revision.revisionId!;
    });

    it('answers the revision with its id, and shows it only from its reportedAt on', async () => {
      expect(revisionId).toEqual(expect.any(String));
      expect((await view('troops', 'asOf=2024-10-22')).title).toBe('Troops prepared');
      expect((await view('troops', 'asOf=2024-10-22')).topics).toEqual(['vestby-harbour']);
      expect((await view('troops', 'asOf=2024-10-23')).title).toBe('About 3,000 troops sent');
      expect((await view('troops', 'asOf=2024-10-23')).summary).toBe('Troops are being prepared.');
    });

    it('lists the revision in /v1/knowledge/changes when it became known, with the fields it changed', async () => {
      const items = (await get('/v1/knowledge/changes?from=2024-10-22&to=2024-10-23')).items.filter((item: { developmentId: string }) => item.developmentId === 'troops');
      expect(items).toEqual([
        expect.objectContaining({ at: '2024-10-23', kind: 'development-revised', revisionId, fields: ['title', 'topics'], position: expect.any(Number) }),
      ]);
    });

    it('filters by topic as known at asOf', async () => {
      const ids = async (asOf: string) => (await get(`/v1/knowledge?asOf=${asOf}&topic=deployment`)).items.map((item: { id: string }) => item.id);
      expect(await ids('2024-10-22')).toEqual([]);
      expect(await ids('2024-10-23')).toEqual(['troops']);
    });

    it('mends one revision with a correction from the moment it is recorded, leaving the first description alone', async () => {
      const before = clock.iso();
      created(await post('/v1/developments/troops/corrections', { revisionId, changes: { title: 'About 3,000 troops deployed' }, reason: 'typo' }));
      expect((await view('troops', 'asOf=2024-10-23')).title).toBe('About 3,000 troops deployed');
      expect((await view('troops', 'asOf=2024-10-22')).title).toBe('Troops prepared');
      expect((await view('troops', `asOf=2024-10-23&recordedAsOf=${before}`)).title).toBe('About 3,000 troops sent');
    });

    it('refuses a revision before its basis claim, of an unknown revision, and with no changes', async () => {
      const claimId = (await view('troops', 'asOf=2024-10-30')).claims[0].id;
      expectProblem(await post('/v1/developments/troops/revisions', { changes: { title: 'x' }, reportedAt: '2024-10-17', basisClaimId: claimId, reason: 'r' }), 400);
      expectProblem(await post('/v1/developments/troops/corrections', { revisionId: 'nope', changes: { title: 'x' }, reason: 'r' }), 404);
      expectProblem(await post('/v1/developments/troops/revisions', { changes: {}, reportedAt: '2024-10-25', reason: 'r' }), 400);
      expectProblem(await post('/v1/developments/nowhere/revisions', { changes: { title: 'x' }, reportedAt: '2024-10-25', reason: 'r' }), 404);
    });
  });

  describe('stances and origins', () => {
    it('an assessment is not an assertion; no evidence is not a denial', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'assessed', claim: aClaim({ sourceId: 'ua-intel', stance: 'assesses', likelihood: 'very-likely', reportedAt: '2024-10-10' }) })));
      created(await post('/v1/developments/assessed/claims', aClaim({ sourceId: 'bbc', stance: 'no-evidence', reportedAt: '2024-10-11' })));
      const v = await view('assessed', 'asOf=2024-10-12');
      expect(v).toEqual(
        expect.objectContaining({ status: 'assessed', assertedBy: [], deniedBy: [], assessedBy: [{ sourceId: 'ua-intel', likelihood: 'very-likely' }], noEvidenceBy: ['bbc'] }),
      );
      expect(v.claims.map((claim: { stance: string; likelihood: string | null }) => [claim.stance, claim.likelihood])).toEqual([
        ['assesses', 'very-likely'],
        ['no-evidence', null],
      ]);
      // The changes list says how strongly each claim was made, as the view does.
      const reported = (await get('/v1/knowledge/changes?from=2024-10-09&to=2024-10-12')).items.filter(
        (item: { developmentId: string; kind: string }) => item.developmentId === 'assessed' && item.kind === 'claim-reported',
      );
      expect(reported.map((item: { sourceId: string; stance: string; likelihood?: string }) => [item.sourceId, item.stance, item.likelihood ?? null])).toEqual([
        ['ua-intel', 'assesses', 'very-likely'],
        ['bbc', 'no-evidence', null],
      ]);
      created(await post('/v1/developments', aDevelopment({ id: 'no-evidence', claim: aClaim({ sourceId: 'bbc', stance: 'no-evidence', reportedAt: '2024-10-10' }) })));
      expect((await view('no-evidence', 'asOf=2024-10-12')).status).toBe('unconfirmed');
    });

    it('drops the likelihood when an assessment is corrected to an assertion, in the read model as in the replay', async () => {
      const first = created(await post('/v1/developments', aDevelopment({ id: 'reassessed', claim: aClaim({ sourceId: 'ua-intel', stance: 'assesses', likelihood: 'likely', reportedAt: '2024-10-10' }) })));
      created(await post(`/v1/developments/reassessed/claims/${first.claimId}/corrections`, { changes: { stance: 'asserts' }, reason: 'it was said flatly' }));
      const v = await view('reassessed', 'asOf=2024-10-12');
      expect([v.status, v.assessedBy, v.claims[0].stance, v.claims[0].likelihood]).toEqual(['reported', [], 'asserts', null]);
      expect((await get('/v1/audit/replay?asOf=2024-10-12')).matchesReadModel).toBe(true);
    });

    it('refuses an assessment without a likelihood, and a likelihood not on the ICD 203 scale', async () => {
      expectProblem(await post('/v1/developments/assessed/claims', aClaim({ sourceId: 'bbc', stance: 'assesses', reportedAt: '2024-10-12' })), 400);
      expectProblem(await post('/v1/developments/assessed/claims', aClaim({ sourceId: 'bbc', stance: 'assesses', likelihood: 'highly-likely', reportedAt: '2024-10-12' })), 400);
    });

    it('counts a relay and a shared affiliation once, an independent origin twice', async () => {
      const first = created(await post('/v1/developments', aDevelopment({ id: 'origins', claim: aClaim({ sourceId: 'nis', reportedAt: '2024-10-18' }) })));
      created(await post('/v1/developments/origins/claims', aClaim({ sourceId: 'kr-defence', reportedAt: '2024-10-19' })));
      // The BBC relaying the NIS, repeating its first claim: still the one Korean origin.
      created(await post('/v1/developments/origins/claims', aClaim({ sourceId: 'nis', derivedFrom: first.claimId, via: ['bbc'], reportedAt: '2024-10-20' })));
      expect((await view('origins', 'asOf=2024-10-20')).status).toBe('reported');
      expect((await view('origins', 'asOf=2024-10-20')).assertedBy).toEqual(['kr-defence', 'nis']);
      created(await post('/v1/developments/origins/claims', aClaim({ sourceId: 'ua-intel', reportedAt: '2024-10-21' })));
      expect((await view('origins', 'asOf=2024-10-20')).status).toBe('reported');
      expect((await view('origins', 'asOf=2024-10-21')).status).toBe('corroborated');
      const relayed = (await view('origins', 'asOf=2024-10-21')).claims.find((claim: { via: string[] }) => claim.via.includes('bbc'));
      expect(relayed).toEqual(expect.objectContaining({ via: ['bbc'], derivedFrom: first.claimId }));
    });

    it('refuses a relay through an unregistered source, and a repetition of a claim that does not exist', async () => {
      expectProblem(await post('/v1/developments/origins/claims', aClaim({ sourceId: 'bbc', via: ['ghost'], reportedAt: '2024-10-22' })), 404);
      expectProblem(await post('/v1/developments/origins/claims', aClaim({ sourceId: 'bbc', derivedFrom: 'nope', reportedAt: '2024-10-22' })), 404);
    });
  });

  describe('estimates by measure', () => {
    beforeAll(async () => {
      const deployed = (value: number) => ({ measure: 'deployed', unit: 'troops', value, qualifier: 'about' });
      created(await post('/v1/developments', aDevelopment({ id: 'estimates', claim: aClaim({ sourceId: 'nis', reportedAt: '2024-10-18', quantity: deployed(1500) }) })));
      created(await post('/v1/developments/estimates/claims', aClaim({ sourceId: 'nis', reportedAt: '2024-10-23', quantity: deployed(3000) })));
      created(await post('/v1/developments/estimates/claims', aClaim({ sourceId: 'ua-intel', reportedAt: '2024-10-20', quantity: { measure: 'deployed', unit: 'troops', min: 1500, max: 12000, qualifier: 'range' } })));
      created(await post('/v1/developments/estimates/claims', aClaim({ sourceId: 'ua-intel', reportedAt: '2024-10-21', quantity: { measure: 'planned', unit: 'troops', value: 10000, qualifier: 'exact' } })));
    });

    it('keeps each source latest figure per measure, and never merges measures', async () => {
      const v = await view('estimates', 'asOf=2024-10-24');
      expect(v.estimates).toEqual([
        {
          measure: 'deployed',
          unit: 'troops',
          low: 1500,
          high: 12000,
          figures: [
            expect.objectContaining({ sourceId: 'nis', reportedAt: '2024-10-23', value: 3000, qualifier: 'about' }),
            expect.objectContaining({ sourceId: 'ua-intel', reportedAt: '2024-10-20', min: 1500, max: 12000, qualifier: 'range' }),
          ],
        },
        { measure: 'planned', unit: 'troops', low: 10000, high: 10000, figures: [expect.objectContaining({ sourceId: 'ua-intel', value: 10000 })] },
      ]);
      expect((await view('estimates', 'asOf=2024-10-19')).estimates).toEqual([
        { measure: 'deployed', unit: 'troops', low: 1500, high: 1500, figures: [expect.objectContaining({ sourceId: 'nis', value: 1500 })] },
      ]);
    });

    it('tells how the estimates moved in knowledge time', async () => {
      const moved = (await get('/v1/developments/estimates/estimates?measure=deployed')).items;
      expect(moved.map((item: { at: string; low: number; high: number }) => [item.at, item.low, item.high])).toEqual([
        ['2024-10-18', 1500, 1500],
        ['2024-10-20', 1500, 12000],
        ['2024-10-23', 1500, 12000],
      ]);
      expect(moved[2].figures.map((figure: { value?: number }) => figure.value)).toEqual([3000, undefined]);
      const window = (await get('/v1/developments/estimates/estimates?from=2024-10-20&to=2024-10-22')).items;
      expect(window.map((item: { at: string; measure: string }) => [item.at, item.measure])).toEqual([['2024-10-21', 'planned']]);
      expectProblem(await app.get('/v1/developments/nowhere/estimates'), 404);
    });

    it('lists each move of an estimate and each reported quantity in /v1/knowledge/changes', async () => {
      const items = (await get('/v1/knowledge/changes?from=2024-10-17&to=2024-10-24')).items.filter((item: { developmentId: string }) => item.developmentId === 'estimates');
      expect(items.map((item: { at: string; kind: string; quantity?: { value?: number }; estimate?: object }) => [item.at, item.kind, item.quantity?.value ?? item.estimate ?? null])).toEqual([
        ['2024-10-18', 'development-reported', null],
        ['2024-10-18', 'claim-reported', 1500],
        ['2024-10-18', 'estimate-changed', { measure: 'deployed', unit: 'troops', low: 1500, high: 1500 }],
        ['2024-10-20', 'claim-reported', null],
        ['2024-10-20', 'status-changed', null],
        ['2024-10-20', 'estimate-changed', { measure: 'deployed', unit: 'troops', low: 1500, high: 12000 }],
        ['2024-10-21', 'claim-reported', 10000],
        ['2024-10-21', 'estimate-changed', { measure: 'planned', unit: 'troops', low: 10000, high: 10000 }],
        ['2024-10-23', 'claim-reported', 3000],
        ['2024-10-23', 'estimate-changed', { measure: 'deployed', unit: 'troops', low: 1500, high: 12000 }],
      ]);
    });

    it('refuses a range without its max, and a range upside down', async () => {
      expectProblem(await post('/v1/developments/estimates/claims', aClaim({ sourceId: 'bbc', reportedAt: '2024-10-25', quantity: { unit: 'troops', min: 1, qualifier: 'range' } })), 400);
      expectProblem(await post('/v1/developments/estimates/claims', aClaim({ sourceId: 'bbc', reportedAt: '2024-10-25', quantity: { unit: 'troops', min: 9, max: 1, qualifier: 'range' } })), 400);
    });
  });

  describe('dates of uneven precision', () => {
    it('takes occurred as EDTF and shows its bounds', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'fuzzy', occurred: { edtf: '2024-10~', label: 'in October' }, claim: aClaim({ reportedAt: '2024-11-01', sourceId: 'bbc' }) })));
      expect((await view('fuzzy', 'asOf=2024-11-01')).occurred).toEqual({ edtf: '2024-10~', earliest: '2024-10-01', latest: '2024-10-31', label: 'in October' });
      created(await post('/v1/developments', aDevelopment({ id: 'ships', occurred: '2024-10-08/2024-10-13', claim: aClaim({ reportedAt: '2024-11-01', sourceId: 'bbc' }) })));
      expect((await view('ships', 'asOf=2024-11-01')).occurred).toEqual({ edtf: '2024-10-08/2024-10-13', earliest: '2024-10-08', latest: '2024-10-13', label: null });
    });

    it('matches an occurred range possibly (overlap) or certainly (wholly inside)', async () => {
      const ids = async (query: string) => (await get(`/v1/knowledge?asOf=2024-11-02&${query}`)).items.map((item: { id: string }) => item.id).filter((id: string) => ['fuzzy', 'ships'].includes(id));
      expect(await ids('occurredFrom=2024-10-10&occurredTo=2024-10-20')).toEqual(['fuzzy', 'ships']);
      expect(await ids('occurredFrom=2024-10-10&occurredTo=2024-10-20&occurredMatch=certainly')).toEqual([]);
      expect(await ids('occurredFrom=2024-10-01&occurredTo=2024-10-31&occurredMatch=certainly')).toEqual(['fuzzy', 'ships']);
      expect(await ids('occurredFrom=2024-10&occurredTo=2024-10&occurredMatch=certainly')).toEqual(['fuzzy', 'ships']);
      expectProblem(await app.get('/v1/knowledge?occurredFrom=2024-10-20&occurredTo=2024-10-10'), 400);
    });

    it('refuses occurred that is not EDTF level 1 it can read', async () => {
      for (const occurred of ['2024-21', 'yesterday', { edtf: '2024-10-13/2024-10-08' }, { edtf: '2024', from: '2024-01-01' }, 42]) {
        expectProblem(await post('/v1/developments', aDevelopment({ id: 'bad-date', occurred: occurred as never })), 400);
      }
    });

    it('counts a claim reported in a month as known from the end of that month, and keeps its precision', async () => {
      created(await post('/v1/developments', aDevelopment({ id: 'in-may', claim: aClaim({ sourceId: 'bbc', reportedAt: '2024-05' }) })));
      expect((await app.get('/v1/developments/in-may?asOf=2024-05-30')).status).toBe(404);
      const v = await view('in-may', 'asOf=2024-05-31');
      expect([v.firstReportedAt, v.claims[0].reportedAt]).toEqual(['2024-05', '2024-05']);
    });
  });
});
