import { ArticleSeeder, ARTICLE_DATASET } from '../../src/seed/article-seeder';
import { daysFrom, endOfDayMs, hindsightWords } from '../support/seed-rules';
import { startTestApp, TestApp } from '../support/test-app';

const SENT = 'north-korean-troops-sent-to-russia';
const PREPARING = 'north-korea-prepares-soldiers-to-join-russian-forces';
const FIGHT = 'north-korean-soldiers-involved-in-the-fight';
const SHIPS = 'north-korean-troops-shipped-to-vladivostok';

type View = Record<string, any>;

/**
 * The seed article read the way an analyst checks a timeline: what could be known on 17, 20 and 24
 * October 2024, and nothing earlier than the article says (src/seed/data/SOURCING.md).
 */
describe('the seed article, read the way an analyst would', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
    await api.app.get(ArticleSeeder).seed();
  });

  afterAll(() => api.close());

  const viewAsOf = async (id: string, asOf: string): Promise<View> => {
    const response = await api.get(`/v1/developments/${id}?asOf=${asOf}`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const knowledgeAsOf = async (asOf: string, query = ''): Promise<View[]> => {
    const response = await api.get(`/v1/knowledge?asOf=${asOf}&limit=500${query}`);
    expect(response.status).toBe(200);
    return response.body.items;
  };
  const estimate = (view: View, measure: string) => view.estimates.find((e: { measure: string }) => e.measure === measure);

  it('holds every development and source of the seed, the sources with their origins', async () => {
    expect(await knowledgeAsOf('2024-10-24')).toHaveLength(ARTICLE_DATASET.developments.length);
    const sources = (await api.get('/v1/sources')).body.items as View[];
    expect(sources.map((source) => source.id).sort()).toEqual(ARTICLE_DATASET.sources.map((source) => source.id).sort());
    expect(sources.filter((source) => source.affiliation === 'kr-government').map((source) => source.id).sort()).toEqual([
      'kim-yong-hyun',
      'kr-foreign-ministry',
      'sk-nis',
      'south-korea',
    ]);
  });

  describe('as of 17 October', () => {
    it('knows of no North Korean troops at all: only the Treasury’s missiles of May and the WSJ’s tally of September', async () => {
      expect((await knowledgeAsOf('2024-10-17')).map((view) => view.id).sort()).toEqual([
        'russia-uses-north-korean-ballistic-missiles',
        'war-killed-or-wounded-one-million',
      ]);
      expect(await knowledgeAsOf('2024-10-17', '&topic=troops')).toEqual([]);
      const sent = await api.get(`/v1/developments/${SENT}?asOf=2024-10-17`);
      expect(sent.status).toBe(404);
    });

    it('reads the month-precise claims with their precision and their measures', async () => {
      const missiles = await viewAsOf('russia-uses-north-korean-ballistic-missiles', '2024-10-17');
      expect(missiles).toMatchObject({ status: 'reported', assertedBy: ['us-treasury'], firstReportedAt: '2024-05' });
      expect(estimate(missiles, 'missiles-used')).toMatchObject({ unit: 'ballistic-missiles', low: 40, high: 40 });
      const tally = await viewAsOf('war-killed-or-wounded-one-million', '2024-10-17');
      expect(tally.claims[0]).toMatchObject({ source: expect.objectContaining({ id: 'wsj-unnamed-sources' }), via: ['wall-street-journal', 'the-independent'], reportedAt: '2024-09' });
      // A month counts from its end: the September report is not known on 29 September.
      expect((await api.get('/v1/developments/war-killed-or-wounded-one-million?asOf=2024-09-29')).status).toBe(404);
    });
  });

  describe('as of 20 October', () => {
    it('knows Zelensky’s nearly 10,000 soldiers being prepared, as preparation and not as a deployment', async () => {
      const preparing = await viewAsOf(PREPARING, '2024-10-20');
      expect(preparing).toMatchObject({ status: 'reported', assertedBy: ['zelensky'], location: 'North Korea' });
      expect(preparing.estimates).toEqual([
        expect.objectContaining({ measure: 'in-preparation', unit: 'troops', low: 10000, high: 10000 }),
      ]);
      const known = await knowledgeAsOf('2024-10-20');
      expect(known.flatMap((view) => view.estimates.map((e: { measure: string }) => e.measure))).not.toContain('deployed');
      expect((await api.get(`/v1/developments/${SENT}?asOf=2024-10-20`)).status).toBe(404);
      expect((await api.get(`/v1/developments/${FIGHT}?asOf=2024-10-20`)).status).toBe(404);
    });
  });

  describe('as of 24 October', () => {
    it('sees the troops in Russia confirmed by the US, and the estimate as each source last gave it', async () => {
      const sent = await viewAsOf(SENT, '2024-10-24');
      expect(sent).toMatchObject({
        status: 'confirmed',
        confirmedBy: ['lloyd-austin'],
        assertedBy: ['boris-pistorius', 'kr-foreign-ministry', 'sk-nis', 'the-independent'],
        deniedBy: [],
        title: 'North Korea sends around 3,000 troops, including special forces, to Russia',
      });
      // The NIS's 3,000 supersedes its 1,500; Pistorius gave a range, "1,500 or 12,000".
      expect(estimate(sent, 'deployed')).toEqual({
        measure: 'deployed',
        unit: 'troops',
        low: 1500,
        high: 12000,
        figures: [
          expect.objectContaining({ sourceId: 'boris-pistorius', min: 1500, max: 12000, qualifier: 'range' }),
          expect.objectContaining({ sourceId: 'sk-nis', claimId: 'troops-nis-3000', value: 3000, qualifier: 'about' }),
        ],
      });
      // The article's lede repeats the US confirmation: a repetition, not another source.
      expect(sent.claims.find((claim: View) => claim.source.id === 'the-independent')).toMatchObject({ derivedFrom: 'troops-austin-evidence' });
    });

    it('shows the description as first said on the 23rd, and the NIS’s figures only from the 24th', async () => {
      const first = await viewAsOf(SENT, '2024-10-23');
      expect(first.title).toBe('North Korean troops have gone to Russia');
      expect(first.summary).not.toMatch(/3,000|special forces/);
      expect(first.location).toBe('Russia');
      expect((await viewAsOf(SENT, '2024-10-24')).location).toBe("Russia's far east");
      const ships23 = await viewAsOf(SHIPS, '2024-10-23');
      expect(ships23.occurred).toEqual({ edtf: '2024-10', earliest: '2024-10-01', latest: '2024-10-31', label: 'early-to-mid October' });
      const ships24 = await viewAsOf(SHIPS, '2024-10-24');
      expect(ships24.occurred).toMatchObject({ edtf: '2024-10-08/2024-10-13', earliest: '2024-10-08', latest: '2024-10-13' });
      expect(ships24.actors).toContain("Russia's Pacific Fleet");
    });

    it('keeps the fighting in Ukraine apart: disputed, hedged and unproven, with each stance as worded', async () => {
      const fight = await viewAsOf(FIGHT, '2024-10-24');
      expect(fight).toMatchObject({
        status: 'disputed',
        assertedBy: ['kr-foreign-ministry'],
        deniedBy: ['kremlin'],
        assessedBy: [{ sourceId: 'kim-yong-hyun', likelihood: 'very-likely' }],
        noEvidenceBy: ['lloyd-austin', 'mark-rutte', 'the-independent', 'us-officials'],
      });
      expect((await viewAsOf(FIGHT, '2024-10-21')).status).toBe('unconfirmed');
    });

    it('lists the troops in Russia first reported on the 23rd, confirmed from the start, between 20 and 24 October', async () => {
      const changes = await api.get('/v1/knowledge/changes?from=2024-10-20&to=2024-10-24&topic=troops');
      expect(changes.status).toBe(200);
      expect(changes.body.items).toContainEqual(
        expect.objectContaining({ developmentId: SENT, kind: 'development-reported', at: '2024-10-23', status: { from: null, to: 'confirmed' } }),
      );
      expect(changes.body.items).toContainEqual(
        expect.objectContaining({ developmentId: FIGHT, kind: 'status-changed', at: '2024-10-24', status: { from: 'reported', to: 'disputed' } }),
      );
      const ats = changes.body.items.map((item: { at: string }) => endOfDayMs(item.at.slice(0, 10)));
      expect(ats).toEqual([...ats].sort((a, b) => a - b));
    });

    it('keeps the report of six soldiers killed unconfirmed, as the article says', async () => {
      const killed = await viewAsOf('north-korean-soldiers-killed-in-donetsk-strike', '2024-10-24');
      expect(killed).toMatchObject({ status: 'reported', assertedBy: ['ukrainian-media'], noEvidenceBy: ['the-independent'], confirmedBy: [] });
      expect(estimate(killed, 'killed')).toMatchObject({ unit: 'troops', low: 6, high: 6 });
    });

    it('names the chain a relayed claim came through', async () => {
      const arrival = await viewAsOf('north-koreans-arrive-in-russias-far-east', '2024-10-24');
      expect(arrival.claims).toEqual([expect.objectContaining({ source: expect.objectContaining({ id: 'russian-military-source' }), via: ['bbc', 'the-independent'] })]);
    });
  });

  it('shows, as of every day from 2023-01-01 to 2024-10-31, no word of a description first given after that day (the API)', async () => {
    const leaks: string[] = [];
    const byId = new Map(ARTICLE_DATASET.developments.map((development) => [development.id, development]));
    for (const day of daysFrom('2023-01-01', '2024-10-31')) {
      for (const view of await knowledgeAsOf(day)) {
        const words = hindsightWords(byId.get(view.id)!, view, endOfDayMs(day));
        if (words.length > 0) leaks.push(`${day} ${view.id}: ${words.join(' ')}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('loads nothing twice when seeded again', async () => {
    const head = (await api.get('/health')).body.info.eventStore.head;
    const report = await api.app.get(ArticleSeeder).seed();
    expect(report).toMatchObject({ sources: 0, developments: 0, claims: 0, revisions: 0 });
    expect(report.skipped).toBe(
      ARTICLE_DATASET.sources.length + ARTICLE_DATASET.developments.reduce((n, d) => n + d.claims.length + (d.revisions ?? []).length, 0),
    );
    expect((await api.get('/health')).body.info.eventStore.head).toBe(head);
  });
});
