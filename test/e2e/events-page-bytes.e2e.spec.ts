import { EVENTS_PAGE_MAX_BYTES } from '../../src/http/controllers/events.controller';
import { aDevelopment, aSource, created, headPosition } from '../support/builders';
import { startTestApp, TestApp } from '../support/test-app';

/** A development as large as the DTOs allow (~60 KB of event data). */
const aLargeDevelopment = (i: number) =>
  aDevelopment({
    id: `large-${i}`,
    summary: 's'.repeat(20_000),
    actors: Array.from({ length: 100 }, (_, a) => `actor-${a}-${'a'.repeat(190)}`),
    topics: Array.from({ length: 100 }, (_, t) => `topic-${t}-${'t'.repeat(190)}`),
  });

describe('GET /v1/events pages bounded in bytes', () => {
  let app: TestApp;
  let written: number;

  beforeAll(async () => {
    app = await startTestApp();
    created(await app.post('/v1/sources', aSource()));
    // Enough large events that 1,000 of them hold well over a page's bytes.
    const count = Math.ceil((1.5 * EVENTS_PAGE_MAX_BYTES) / 60_000);
    for (let i = 0; i < count; i++) created(await app.post('/v1/developments', aLargeDevelopment(i)));
    written = await headPosition(app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('answers fewer than `limit` events when they would exceed the page bytes, and paging by `last` reads every event once', async () => {
    const first = await app.get('/v1/events?limit=1000');
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBeLessThan(written);
    expect(Buffer.byteLength(first.text)).toBeLessThan(EVENTS_PAGE_MAX_BYTES + 200_000);

    const positions: number[] = first.body.items.map((event: { position: number }) => event.position);
    for (let after = first.body.last; ; ) {
      const page = await app.get(`/v1/events?limit=1000&after=${after}`);
      if (page.body.items.length === 0) break;
      positions.push(...page.body.items.map((event: { position: number }) => event.position));
      after = page.body.last;
    }
    expect(positions).toEqual(Array.from({ length: written }, (_, i) => i + 1));
  });
});
