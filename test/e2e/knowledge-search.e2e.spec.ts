import { ManualClock, aClaim, aDevelopment, aDevelopmentCorrection, aManualClock, aRetraction, aSource, created, expectProblem } from '../support/builders';
import { TestApp, TestResponse, startTestApp } from '../support/test-app';

/**
 * `q=` on `/v1/knowledge` (issue 14): every term, whole, ignoring case and accents, among the title
 * and summary as known at asOf and the quotes of the claims active then. Runs on SQLite and (from
 * api.postgres.e2e.spec.ts) on PostgreSQL, with the same expectations.
 */
describe('GET /v1/knowledge?q=', () => {
  let app: TestApp;
  let clock: ManualClock;
  /** Transaction times of some writes, to ask as of before them. */
  const recorded: Record<string, string> = {};

  const post = (url: string, body: unknown): Promise<TestResponse> => {
    clock.advance();
    return app.post(url, body);
  };
  const ids = async (query: string): Promise<string[]> => {
    const response = await app.get(`/v1/knowledge?${query}`);
    if (response.status !== 200) throw new Error(`GET ${query}: ${response.status} ${response.text}`);
    return response.body.items.map((item: { id: string }) => item.id);
  };
  const q = (text: string) => `q=${encodeURIComponent(text)}`;

  beforeAll(async () => {
    clock = aManualClock('2025-04-01T08:00:00.000Z');
    app = await startTestApp({ clock });
    created(await post('/v1/sources', aSource({ id: 'harbour-watch', name: 'Harbour Watch' })));
    created(await post('/v1/sources', aSource({ id: 'coast-guard', name: 'Coast Guard', kind: 'military' })));

    // A title that names Kursk only from a revision reported on 2025-03-10.
    const troops = created(
      await post(
        '/v1/developments',
        aDevelopment({
          id: 'troops-sighted',
          title: 'Troops sighted',
          summary: 'A column on the move.',
          occurred: '2025-03-01',
          claim: aClaim({ reportedAt: '2025-03-05', quote: "Soldiers of Pyongyang's army were seen" }),
        }),
      ),
    );
    created(
      await post('/v1/developments/troops-sighted/revisions', {
        changes: { title: 'Troops sighted in Kursk' },
        reportedAt: '2025-03-10',
        basisClaimId: troops.claimId,
        reason: 'the place was named',
      }),
    );

    // Accents, case and another script.
    created(
      await post(
        '/v1/developments',
        aDevelopment({ id: 'resupply', title: 'Ré-supply at RAJIN', summary: 'Колонна у Курска', occurred: '2025-03-02', claim: aClaim({ reportedAt: '2025-03-05' }) }),
      ),
    );

    // A quote that stops counting once its claim's retraction is known.
    created(
      await post(
        '/v1/developments',
        aDevelopment({ id: 'pier-fire', title: 'Pier fire', summary: undefined, occurred: '2025-03-03', claim: aClaim({ reportedAt: '2025-03-05', quote: 'smoke over the pier' }) }),
      ),
    );
    const flames = created(
      await post('/v1/developments/pier-fire/claims', aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-06', quote: 'Flames seen on the pier' })),
    ).claimId!;
    recorded.beforeRetraction = clock.iso();
    created(await post(`/v1/developments/pier-fire/claims/${flames}/retraction`, aRetraction({ reportedAt: '2025-03-09' })));

    // Recorded and corrected in one millisecond (two appends, two projection batches): the first
    // title is current at no recordedAsOf, so no q finds it.
    created(await post('/v1/developments', aDevelopment({ id: 'aground', title: 'Tanker aground', summary: undefined, occurred: '2025-03-04', claim: aClaim({ reportedAt: '2025-03-05' }) })));
    created(await app.post('/v1/developments/aground/corrections', aDevelopmentCorrection({ title: 'Barge aground' })));
  });
  afterAll(async () => app?.close());

  it('lists nothing more without q than before (every development known then)', async () => {
    expect(await ids('asOf=2025-03-31')).toEqual(['troops-sighted', 'resupply', 'pier-fire', 'aground']);
  });

  it("matches a term of a revision's title only as of the revision's reportedAt", async () => {
    expect(await ids(`${q('kursk')}&asOf=2025-03-09`)).toEqual([]);
    expect(await ids(`${q('kursk')}&asOf=2025-03-10`)).toEqual(['troops-sighted']);
    expect(await ids(`${q('sighted')}&asOf=2025-03-05`)).toEqual(['troops-sighted']);
    expect(await ids(`${q('sighted')}&asOf=2025-03-04`)).toEqual([]);
  });

  it('needs every term, wherever each is: title, summary or quote', async () => {
    expect(await ids(`${q('KURSK pyongyang')}&asOf=2025-03-10`)).toEqual(['troops-sighted']);
    expect(await ids(`${q("Pyongyang's column")}&asOf=2025-03-10`)).toEqual(['troops-sighted']);
    expect(await ids(`${q('kursk rajin')}&asOf=2025-03-10`)).toEqual([]);
    expect(await ids(`${q('pier')}&asOf=2025-03-31`)).toEqual(['pier-fire']);
  });

  it('matches whole terms ignoring case and accents, in any script; never a part of a term', async () => {
    for (const text of ['re', 'RÉ', 'Ré supply', 'rajin', 'курска', 'КУРСКА']) expect([text, await ids(`${q(text)}&asOf=2025-03-31`)]).toEqual([text, ['resupply']]);
    for (const text of ['resupply', 'raj', 'курск', 'troop']) expect([text, await ids(`${q(text)}&asOf=2025-03-31`)]).toEqual([text, []]);
  });

  it("stops matching a retracted claim's quote once the retraction is known, and not before", async () => {
    expect(await ids(`${q('flames')}&asOf=2025-03-08`)).toEqual(['pier-fire']);
    expect(await ids(`${q('flames')}&asOf=2025-03-09`)).toEqual([]);
    expect(await ids(`${q('flames')}&asOf=2025-03-09&recordedAsOf=${encodeURIComponent(recorded.beforeRetraction)}`)).toEqual(['pier-fire']);
    expect(await ids(`${q('smoke')}&asOf=2025-03-09`)).toEqual(['pier-fire']);
  });

  it('finds a title corrected in the millisecond it was recorded only by its corrected words', async () => {
    expect(await ids(`${q('tanker')}&asOf=2025-03-31`)).toEqual([]);
    expect(await ids(`${q('barge')}&asOf=2025-03-31`)).toEqual(['aground']);
    expect(await ids(`${q('aground')}&asOf=2025-03-31&recordedAsOf=${encodeURIComponent(clock.iso())}`)).toEqual(['aground']);
  });

  it('keeps q on every page, and combines it with the other filters', async () => {
    const first = await app.get(`/v1/knowledge?${q('seen')}&asOf=2025-03-08&limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual(['troops-sighted']);
    const second = await app.get(`/v1/knowledge?${q('seen')}&asOf=2025-03-08&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual(['pier-fire']);
    expect(second.body.nextCursor).toBeNull();
    expect(await ids(`${q('seen')}&asOf=2025-03-08&sourceId=coast-guard`)).toEqual(['pier-fire']);
  });

  it.each([
    ['empty', ''],
    ['no term at all', ' ,.-! '],
    ['11 terms', 'a b c d e f g h i j k'],
    ['a term of 101 characters', 'x'.repeat(101)],
    ['501 characters', 'ab '.repeat(167)],
  ])('refuses q with %s: 400', async (_name, text) => {
    const response = await app.get(`/v1/knowledge?${q(text)}`);
    expectProblem(response, 400);
    expect(response.text).toContain('q');
  });

  it('refuses q given twice: 400', async () => {
    expectProblem(await app.get('/v1/knowledge?q=a&q=b'), 400);
  });
});
