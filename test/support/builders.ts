import { Clock } from '../../src/platform/clock';
import { TestApp, TestResponse } from './test-app';

/** HTTP request bodies with sensible defaults, for e2e tests. Override only what a test is about. */

export type SourceBody = {
  id?: string;
  name: string;
  kind: string;
  country?: string;
  affiliation?: string;
  reliability?: string;
};

export type QuantityBody = { measure?: string; value?: number; min?: number; max?: number; unit: string; qualifier: string };

export type ClaimBody = {
  sourceId: string;
  stance: 'asserts' | 'confirms' | 'denies' | 'assesses' | 'no-evidence';
  likelihood?: string;
  reportedAt: string;
  via?: string[];
  derivedFrom?: string;
  quantity?: QuantityBody;
  quote?: string;
  publication?: { title?: string; url?: string; publishedAt?: string };
  credibility?: number;
};

export type DevelopmentBody = {
  id?: string;
  title: string;
  summary?: string;
  category?: string;
  occurred?: string | { edtf: string; label?: string } | { from?: string; to?: string; label?: string };
  location?: string;
  actors?: string[];
  topics?: string[];
  claim: ClaimBody;
};

export const aSource = (overrides: Partial<SourceBody> = {}): SourceBody => ({
  id: 'harbour-watch',
  name: 'Harbour Watch',
  kind: 'media',
  country: 'NO',
  reliability: 'B',
  ...overrides,
});

export const aClaim = (overrides: Partial<ClaimBody> = {}): ClaimBody => ({
  sourceId: 'harbour-watch',
  stance: 'asserts',
  reportedAt: '2025-03-05',
  ...overrides,
});

export const aQuantity = (overrides: Partial<QuantityBody> = {}): QuantityBody => ({
  value: 2000,
  unit: 'litres',
  qualifier: 'about',
  ...overrides,
});

export const aDevelopment = (overrides: Partial<DevelopmentBody> = {}): DevelopmentBody => ({
  id: 'vestby-oil-spill',
  title: 'Oil spill in Vestby harbour',
  summary: 'A tanker leaked fuel oil while mooring.',
  category: 'environment',
  occurred: { from: '2025-03-03', to: '2025-03-04', label: 'early March 2025' },
  location: 'Vestby, Norway',
  actors: ['MT Nordlys'],
  topics: ['vestby-harbour'],
  claim: aClaim(),
  ...overrides,
});

export const aRetraction = (overrides: Partial<{ reportedAt: string; reason: string }> = {}) => ({
  reportedAt: '2025-03-20',
  reason: 'the source withdrew the report',
  ...overrides,
});

export const aDevelopmentCorrection = (changes: Record<string, unknown>, reason = 'typo in the record') => ({ changes, reason });

export const aClaimCorrection = (changes: Record<string, unknown>, reason = 'wrong attribution') => ({ changes, reason });

/** A clock the test moves by hand, so transaction times (`recordedAt`) are known exactly. */
export type ManualClock = Clock & {
  /** Moves time forward and returns the new now (epoch ms). */
  advance(ms?: number): number;
  /** Now as an ISO instant. */
  iso(): string;
};

export function aManualClock(start = '2025-04-01T08:00:00.000Z'): ManualClock {
  let now = Date.parse(start);
  return {
    now: () => now,
    advance: (ms = 60_000) => (now += ms),
    iso: () => new Date(now).toISOString(),
  };
}

/** The log's last position, as `/v1/events` reports it. */
export async function headPosition(app: TestApp, headers?: Record<string, string>): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await app.get(`/v1/events?after=${after}&limit=1000`, headers);
    expect(page.status).toBe(200);
    if (page.body.items.length === 0) return page.body.last;
    after = page.body.last;
  }
}

/** Expects a 201 write answer and returns its body. */
export function created(response: TestResponse): { id: string; version: number; position: number; claimId?: string; revisionId?: string } {
  if (response.status !== 201) throw new Error(`expected 201, got ${response.status}: ${response.text}`);
  return response.body;
}

/** Expects an RFC 9457 problem document with this status. */
export function expectProblem(response: TestResponse, status: number): void {
  expect({ status: response.status, contentType: String(response.headers['content-type']) }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toEqual(
    expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) }),
  );
}
