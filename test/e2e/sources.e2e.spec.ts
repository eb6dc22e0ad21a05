import { ManualClock, aManualClock, aSource, created, expectProblem, headPosition } from '../support/builders';
import { TestApp, TestResponse, startTestApp } from '../support/test-app';

const aRating = (overrides: Partial<{ reliability: string; reportedAt: string; reason: string }> = {}) => ({
  reliability: 'D',
  reportedAt: '2024-10-25',
  reason: 'two of its reports were contradicted by satellite imagery',
  ...overrides,
});

describe('sources known in time: affiliation and ratings', () => {
  let app: TestApp;
  let clock: ManualClock;

  /** Every write happens one minute after the previous one, so transaction times are distinct and known. */
  const post = (url: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse> => {
    clock.advance();
    return app.post(url, body, headers);
  };

  const get = async (url: string): Promise<any> => {
    const response = await app.get(url);
    if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${response.text}`);
    return response.body;
  };

  beforeAll(async () => {
    clock = aManualClock('2025-04-01T08:00:00.000Z');
    app = await startTestApp({ clock });
    created(await post('/v1/sources', aSource({ id: 'sk-nis', name: 'National Intelligence Service', kind: 'intelligence', country: 'KR', reliability: 'B', affiliation: 'kr-government' })));
    created(await post('/v1/sources', aSource({ id: 'kremlin', name: 'Kremlin', kind: 'government', country: 'RU', reliability: undefined })));
  });

  afterAll(async () => {
    await app?.close();
  });

  describe('affiliation', () => {
    it('is served as registered, and null for a source that is its own origin', async () => {
      expect(await get('/v1/sources/sk-nis')).toEqual({
        id: 'sk-nis',
        name: 'National Intelligence Service',
        kind: 'intelligence',
        country: 'KR',
        affiliation: 'kr-government',
        reliability: 'B',
        ratings: [],
      });
      const list = await get('/v1/sources');
      expect(list.items.find((source: { id: string }) => source.id === 'kremlin')).toEqual({
        id: 'kremlin',
        name: 'Kremlin',
        kind: 'government',
        country: 'RU',
        affiliation: null,
        reliability: null,
      });
    });

    it('is stored in SourceRegistered', async () => {
      const events = await get('/v1/events?types=SourceRegistered');
      expect(events.items.find((event: { data: { sourceId: string } }) => event.data.sourceId === 'sk-nis').data.affiliation).toBe('kr-government');
    });

    it.each([
      ['a capitalised slug', 'KR-Government'],
      ['a slug with a space', 'kr government'],
      ['an empty string', ''],
      ['a number', 7],
      ['null', null],
    ])('refuses %s as affiliation with 400 naming the field, and stores nothing', async (_name, affiliation) => {
      const before = await headPosition(app);
      const response = await post('/v1/sources', { ...aSource({ id: 'bad-affiliation' }), affiliation });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'affiliation' })]);
      expect(await headPosition(app)).toBe(before);
    });
  });

  describe('POST /v1/sources/:id/ratings', () => {
    it('rates a source: 201 with the id, the stream version and the position, and a SourceRated stored as reported', async () => {
      const before = await headPosition(app);
      const response = await post('/v1/sources/kremlin/ratings', aRating({ reportedAt: '2024-10-25T09:30:00+02:00' }));
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: 'kremlin', version: 1, position: before + 1 });
      const events = await get(`/v1/events?after=${before}`);
      expect(events.items.map((event: { type: string; streamId: string; data: unknown }) => [event.type, event.streamId, event.data])).toEqual([
        ['SourceRated', 'source-kremlin', { sourceId: 'kremlin', reliability: 'D', reportedAt: '2024-10-25T07:30:00.000Z', reason: aRating().reason }],
      ]);
    });

    it('answers 404 for a source that is not registered, and stores nothing', async () => {
      const before = await headPosition(app);
      expectProblem(await post('/v1/sources/nobody-at-all/ratings', aRating()), 404);
      expect(await headPosition(app)).toBe(before);
    });

    it.each([
      ['a grade beyond F', { reliability: 'G' }, 'reliability'],
      ['a lowercase grade', { reliability: 'b' }, 'reliability'],
      ['an impossible date', { reportedAt: '2024-02-30' }, 'reportedAt'],
      ['an instant without an offset', { reportedAt: '2024-10-25T09:30:00' }, 'reportedAt'],
      ['an empty reason', { reason: '' }, 'reason'],
      ['no reason', { reason: undefined }, 'reason'],
      ['an unknown field', { sourceId: 'kremlin' }, 'sourceId'],
    ])('refuses %s with 400 naming the field, and stores nothing', async (_name, change, field) => {
      const before = await headPosition(app);
      const response = await post('/v1/sources/sk-nis/ratings', { ...aRating(), ...change });
      expectProblem(response, 400);
      expect([...new Set(response.body.errors.map((error: { field: string }) => error.field))]).toEqual([field]);
      expect(await headPosition(app)).toBe(before);
    });

    it('honours If-Match: appends at the current version, 409 when the stream has moved on', async () => {
      const current = (await get('/v1/events?types=SourceRegistered,SourceRated')).items.filter(
        (event: { streamId: string }) => event.streamId === 'source-sk-nis',
      ).length - 1;
      const matching = await post('/v1/sources/sk-nis/ratings', aRating({ reliability: 'B', reportedAt: '2024-09-01' }), { 'if-match': `"${current}"` });
      expect(matching.status).toBe(201);
      expect(matching.body.version).toBe(current + 1);
      const before = await headPosition(app);
      expectProblem(await post('/v1/sources/sk-nis/ratings', aRating({ reportedAt: '2024-09-02' }), { 'if-match': `"${current}"` }), 409);
      expect(await headPosition(app)).toBe(before);
    });

    it('answers the first response again for the same Idempotency-Key and body, 422 for another body', async () => {
      created(await post('/v1/sources', aSource({ id: 'pentagon', name: 'Pentagon', kind: 'military', country: 'US', reliability: 'A' })));
      const key = { 'idempotency-key': 'rate-pentagon-1' };
      const first = await post('/v1/sources/pentagon/ratings', aRating({ reliability: 'B' }), key);
      expect(first.status).toBe(201);
      const head = await headPosition(app);
      const again = await post('/v1/sources/pentagon/ratings', aRating({ reliability: 'B' }), key);
      expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: first.body });
      expectProblem(await post('/v1/sources/pentagon/ratings', aRating({ reliability: 'C' }), key), 422);
      expect(await headPosition(app)).toBe(head);
    });
  });

  describe('reliability as of (asOf, recordedAsOf)', () => {
    let recordedFirst: string;
    let recordedSecond: string;

    beforeAll(async () => {
      created(await post('/v1/sources', aSource({ id: 'zelensky', name: 'Volodymyr Zelensky', kind: 'official', country: 'UA', reliability: 'C' })));
      clock.advance(3_600_000);
      created(await post('/v1/sources/zelensky/ratings', aRating({ reliability: 'B', reportedAt: '2024-10-20', reason: 'confirmed by Seoul' })));
      recordedFirst = clock.iso();
      clock.advance(3_600_000);
      // Recorded later, but reported before the first rating: a late report.
      created(await post('/v1/sources/zelensky/ratings', aRating({ reliability: 'A', reportedAt: '2024-10-18T12:00:00Z', reason: 'confirmed by NATO' })));
      recordedSecond = clock.iso();
    });

    const zelensky = (query: string) => get(`/v1/sources/zelensky?${query}`);
    const inList = async (query: string) =>
      (await get(`/v1/sources?${query}`)).items.find((source: { id: string }) => source.id === 'zelensky');

    it('shows the reliability given at registration as of a date before any rating was reported', async () => {
      const view = await zelensky('asOf=2024-10-17');
      expect(view.reliability).toBe('C');
      expect(view.ratings).toEqual([]);
      expect((await inList('asOf=2024-10-17')).reliability).toBe('C');
    });

    it('shows a rating from its reportedAt on (a date: from the start of that day, UTC)', async () => {
      expect((await zelensky('asOf=2024-10-18T11:59:59Z')).reliability).toBe('C');
      expect((await zelensky('asOf=2024-10-18T12:00:00Z')).reliability).toBe('A');
      expect((await zelensky('asOf=2024-10-19')).reliability).toBe('A');
      expect((await zelensky('asOf=2024-10-20')).reliability).toBe('B');
      expect((await zelensky('asOf=2024-10-19T23:59:59.999Z')).reliability).toBe('A');
      expect((await inList('asOf=2024-10-20')).reliability).toBe('B');
    });

    it('lists the ratings known then, in knowledge order, as given', async () => {
      expect((await zelensky('')).ratings).toEqual([
        { reliability: 'A', reportedAt: '2024-10-18T12:00:00.000Z', reason: 'confirmed by NATO' },
        { reliability: 'B', reportedAt: '2024-10-20', reason: 'confirmed by Seoul' },
      ]);
      expect((await zelensky('asOf=2024-10-19')).ratings).toEqual([{ reliability: 'A', reportedAt: '2024-10-18T12:00:00.000Z', reason: 'confirmed by NATO' }]);
    });

    it('does not show a rating as of a recordedAsOf before it was recorded, though reported earlier', async () => {
      const beforeSecond = new Date(Date.parse(recordedSecond) - 1).toISOString();
      const view = await zelensky(`asOf=2024-10-19&recordedAsOf=${beforeSecond}`);
      expect(view.reliability).toBe('C');
      expect(view.ratings).toEqual([]);
      expect((await zelensky(`asOf=2024-10-19&recordedAsOf=${recordedSecond}`)).reliability).toBe('A');

      const beforeFirst = new Date(Date.parse(recordedFirst) - 1).toISOString();
      expect((await zelensky(`recordedAsOf=${beforeFirst}`)).reliability).toBe('C');
      expect((await inList(`recordedAsOf=${beforeFirst}`)).reliability).toBe('C');
      expect((await zelensky(`recordedAsOf=${recordedFirst}`)).reliability).toBe('B');
    });

    it('echoes the time point of the list', async () => {
      const list = await get('/v1/sources?asOf=2024-10-19&recordedAsOf=2025-04-01T12:00:00%2B02:00');
      expect({ asOf: list.asOf, recordedAsOf: list.recordedAsOf }).toEqual({ asOf: '2024-10-19T23:59:59.999Z', recordedAsOf: '2025-04-01T10:00:00.000Z' });
    });

    it('answers 404 for a source registered after recordedAsOf, and leaves it out of the list then', async () => {
      const registered = (await get('/v1/events?types=SourceRegistered')).items.find(
        (event: { data: { sourceId: string } }) => event.data.sourceId === 'zelensky',
      ).recordedAt;
      const before = new Date(Date.parse(registered) - 1).toISOString();
      expectProblem(await app.get(`/v1/sources/zelensky?recordedAsOf=${before}`), 404);
      const ids = (await get(`/v1/sources?recordedAsOf=${before}`)).items.map((source: { id: string }) => source.id);
      expect(ids).toContain('sk-nis');
      expect(ids).not.toContain('zelensky');
      expect((await zelensky(`recordedAsOf=${registered}`)).reliability).toBe('C');
    });

    it.each([
      ['asOf', 'asOf=2024-02-30'],
      ['recordedAsOf', 'recordedAsOf=yesterday'],
      ['minPosition', 'minPosition=-1'],
      ['unknown', 'unknown=1'],
    ])('refuses a bad %s query parameter with 400', async (_name, query) => {
      expectProblem(await app.get(`/v1/sources/zelensky?${query}`), 400);
      expectProblem(await app.get(`/v1/sources?${query}`), 400);
    });
  });
});
