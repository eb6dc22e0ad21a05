import { ArticleSeeder, ARTICLE_DATASET } from '../../src/seed/article-seeder';
import { startTestApp, TestApp } from '../support/test-app';

const TROOPS = 'north-korean-troops-sent-to-russia';

describe('the seed article, read the way an analyst would', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
    await api.app.get(ArticleSeeder).seed();
  });

  afterAll(() => api.close());

  const troopsAsOf = async (asOf: string) => {
    const response = await api.get(`/v1/developments/${TROOPS}?asOf=${asOf}`);
    expect(response.status).toBe(200);
    return response.body;
  };

  it('holds at least 20 developments and 12 sources', async () => {
    const knowledge = await api.get('/v1/knowledge?asOf=2024-10-24&limit=500');
    expect(knowledge.body.items.length).toBeGreaterThanOrEqual(20);
    expect(knowledge.body.items.length).toBe(ARTICLE_DATASET.developments.length);
    const sources = await api.get('/v1/sources');
    expect(sources.body.items.length).toBeGreaterThanOrEqual(12);
    expect(sources.body.items.map((source: { id: string }) => source.id)).toEqual(
      expect.arrayContaining(['sk-nis', 'white-house', 'pentagon', 'zelensky', 'kremlin', 'nato', 'us-treasury', 'sk-foreign-ministry', 'germany-defence-ministry']),
    );
  });

  it('does not know of the troop deployment before Zelensky first spoke of it', async () => {
    expect((await api.get(`/v1/developments/${TROOPS}?asOf=2024-10-16`)).status).toBe(404);
  });

  it('sees the deployment disputed as of 20 October: asserted by Seoul and Kyiv, denied by the Kremlin', async () => {
    const view = await troopsAsOf('2024-10-20');
    expect(view.status).toBe('disputed');
    expect(view.assertedBy).toEqual(['sk-nis', 'zelensky']);
    expect(view.deniedBy).toEqual(['kremlin']);
    expect(view.confirmedBy).toEqual([]);
  });

  it('sees it confirmed by the US as of 24 October, and still denied by the Kremlin', async () => {
    const view = await troopsAsOf('2024-10-24');
    expect(view.status).toBe('confirmed');
    expect(view.confirmedBy).toEqual(expect.arrayContaining(['pentagon', 'white-house']));
    expect(view.deniedBy).toEqual(['kremlin']);
  });

  it('watches the troop estimate range move as reports arrive', async () => {
    const troops = async (asOf: string) => {
      const estimate = (await troopsAsOf(asOf)).estimates.find((e: { unit: string }) => e.unit === 'troops');
      return [estimate.low, estimate.high, estimate.figures.map((figure: { sourceId: string }) => figure.sourceId)];
    };
    expect(await troops('2024-10-17')).toEqual([10000, 10000, ['zelensky']]);
    expect(await troops('2024-10-18')).toEqual([1500, 10000, ['sk-nis', 'zelensky']]);
    // The NIS's 3,000 of 23 October supersedes its own 1,500 (the seed gives both the one measure).
    expect(await troops('2024-10-24')).toEqual([3000, 12000, ['germany-defence-ministry', 'sk-nis', 'white-house', 'zelensky']]);
  });

  it('lists the change from disputed to confirmed between 20 and 24 October', async () => {
    const changes = await api.get('/v1/knowledge/changes?from=2024-10-20&to=2024-10-24&topic=troops');
    expect(changes.status).toBe(200);
    expect(changes.body.items).toContainEqual(
      expect.objectContaining({ developmentId: TROOPS, kind: 'status-changed', status: { from: 'disputed', to: 'confirmed' }, at: '2024-10-23' }),
    );
    const ats = changes.body.items.map((item: { at: string }) => Date.parse(item.at));
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
  });

  it('keeps the report of six soldiers killed unconfirmed', async () => {
    const knowledge = await api.get('/v1/knowledge?asOf=2024-10-24&topic=casualties&limit=500');
    const killed = knowledge.body.items.find((item: { estimates: { unit: string }[] }) => item.estimates.some((e) => e.unit === 'killed'));
    expect(killed).toBeDefined();
    expect(killed.status).toBe('reported');
    expect(killed.confirmedBy).toEqual([]);
  });

  it('keeps the fuzzy wording of when the ships sailed', async () => {
    const view = await api.get('/v1/developments/north-korean-troops-shipped-wonsan-to-vladivostok?asOf=2024-10-24');
    expect(view.body.occurred).toEqual({ edtf: '2024-10-08/2024-10-13', earliest: '2024-10-08', latest: '2024-10-13', label: 'early-to-mid October 2024' });
  });

  it('loads nothing twice when seeded again', async () => {
    const before = (await api.get('/v1/events?limit=1&after=0')).body;
    const head = (await api.get('/health')).body.info.eventStore.head;
    const report = await api.app.get(ArticleSeeder).seed();
    expect(report).toMatchObject({ sources: 0, developments: 0, claims: 0 });
    expect(report.skipped).toBeGreaterThan(0);
    expect((await api.get('/health')).body.info.eventStore.head).toBe(head);
    expect(before.items).toHaveLength(1);
  });
});
