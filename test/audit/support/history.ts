import { ManualClock, aClaim, aDevelopment, aQuantity, aRetraction, aSource, created } from '../../support/builders';
import { TestApp } from '../../support/test-app';

/** Eight events, one write a minute: 2 sources, 2 developments (with their first claims), a claim, a retraction. */
export async function writeHistory(app: TestApp, clock: ManualClock): Promise<void> {
  const post = async (url: string, body: unknown) => {
    clock.advance();
    return created(await app.post(url, body));
  };
  await post('/v1/sources', aSource());
  await post('/v1/sources', aSource({ id: 'coast-guard', name: 'Norwegian Coast Guard', kind: 'military', reliability: 'A' }));
  await post('/v1/developments', aDevelopment());
  const { claimId } = await post(
    '/v1/developments/vestby-oil-spill/claims',
    aClaim({ sourceId: 'coast-guard', stance: 'confirms', reportedAt: '2025-03-06', quantity: aQuantity() }),
  );
  await post('/v1/developments', aDevelopment({ id: 'pier-fire', title: 'Fire on the pier', claim: aClaim({ reportedAt: '2025-03-07' }) }));
  await post(`/v1/developments/vestby-oil-spill/claims/${claimId}/retraction`, aRetraction());
}

/** Every event of the log as `/v1/events` serves it. */
export async function loggedEvents(app: TestApp): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let after = 0; ; ) {
    const page = await app.get(`/v1/events?after=${after}&limit=1000`);
    if (page.status !== 200) throw new Error(`GET /v1/events: ${page.status} ${page.text}`);
    if (page.body.items.length === 0) return items;
    items.push(...page.body.items);
    after = page.body.last;
  }
}
