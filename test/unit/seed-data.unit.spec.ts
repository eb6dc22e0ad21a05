import { SOURCE_KINDS } from '../../src/domain/source/source.events';
import { replayKnowledge } from '../../src/domain/knowledge/knowledge.replay';
import { ARTICLE_DATASET } from '../../src/seed/article-seeder';
import {
  daysFrom,
  descriptionVersions,
  endOfDayMs,
  hindsightWords,
  knownFromMs,
  normalisedText,
  seedArticleText,
  seedLog,
} from '../support/seed-rules';

/** The seed data held to the rules of src/seed/data/SOURCING.md, mechanically. */
const data = ARTICLE_DATASET;
const claims = data.developments.flatMap((development) => development.claims.map((claim) => ({ development, claim })));
const ARTICLE_DAY_END = endOfDayMs(data.article.publishedAt);

describe('the article seed, by the rules of SOURCING.md', () => {
  it('gives every claim a quote that is the article’s words, verbatim', () => {
    const article = normalisedText(seedArticleText());
    const notInArticle = claims.filter(({ claim }) => !claim.quote || !article.includes(normalisedText(claim.quote))).map(({ claim }) => claim.id);
    expect(notInArticle).toEqual([]);
  });

  it('reads every claim in the article: the same publication everywhere, and nothing known after the article’s date', () => {
    for (const { claim } of claims) {
      expect(claim.publication).toEqual(data.article);
      expect(knownFromMs(claim.reportedAt)).toBeLessThanOrEqual(ARTICLE_DAY_END);
    }
  });

  it('names only sources that speak or relay in it, each registered once', () => {
    const ids = data.sources.map((source) => source.id);
    expect(new Set(ids).size).toBe(ids.length);
    const named = new Set(claims.flatMap(({ claim }) => [claim.sourceId, ...(claim.via ?? [])]));
    expect(ids.filter((id) => !named.has(id))).toEqual([]);
    for (const source of data.sources) expect(SOURCE_KINDS).toContain(source.kind);
  });

  it('resolves every via to registered sources, ending with the article that relayed it', () => {
    const ids = new Set(data.sources.map((source) => source.id));
    const relayed = claims.filter(({ claim }) => (claim.via ?? []).length > 0);
    expect(relayed.length).toBeGreaterThan(0);
    for (const { claim } of relayed) {
      for (const id of claim.via!) expect(ids).toContain(id);
      expect(claim.via![claim.via!.length - 1]).toBe('the-independent');
      expect(claim.via).not.toContain(claim.sourceId);
    }
  });

  it('resolves every derivedFrom to a claim of the same development stored before it and known no later', () => {
    const repetitions = claims.filter(({ claim }) => claim.derivedFrom !== undefined);
    expect(repetitions.length).toBeGreaterThan(0);
    for (const { development, claim } of repetitions) {
      const index = development.claims.findIndex((other) => other.id === claim.derivedFrom);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(development.claims.indexOf(claim));
      expect(knownFromMs(development.claims[index].reportedAt)).toBeLessThanOrEqual(knownFromMs(claim.reportedAt));
    }
  });

  it('records each development with its earliest claim, and no revision before the claim it rests on', () => {
    for (const development of data.developments) {
      const first = knownFromMs(development.claims[0].reportedAt);
      for (const claim of development.claims) expect(knownFromMs(claim.reportedAt)).toBeGreaterThanOrEqual(first);
      for (const revision of development.revisions ?? []) {
        const basis = development.claims.find((claim) => claim.id === revision.basisClaimId);
        expect({ revision: revision.id, basis: basis?.id }).toEqual({ revision: revision.id, basis: revision.basisClaimId });
        expect(knownFromMs(revision.reportedAt)).toBeGreaterThanOrEqual(knownFromMs(basis!.reportedAt));
      }
    }
  });

  it('keeps the strength of the words: a likelihood with every assessment and only there, a measure with every quantity', () => {
    for (const { claim } of claims) {
      expect({ id: claim.id, likelihood: claim.stance === 'assesses' }).toEqual({ id: claim.id, likelihood: claim.likelihood !== undefined });
      if (claim.quantity) expect(claim.quantity.measure).toMatch(/^[a-z][a-z-]*$/);
    }
    // The hedges of SOURCING.md, spot-checked against the words.
    const stanceOf = (id: string) => claims.find(({ claim }) => claim.id === id)!.claim;
    expect(stanceOf('fight-kim-yong-hyun-highly-likely')).toMatchObject({ stance: 'assesses', likelihood: 'very-likely' });
    expect(stanceOf('fight-rutte-no-evidence').stance).toBe('no-evidence');
    expect(stanceOf('preparing-zelensky-10000')).toMatchObject({ quantity: { measure: 'in-preparation' } });
  });

  it('states no number in a description before a claim known by then has said it', () => {
    for (const development of data.developments) {
      for (const version of descriptionVersions(development)) {
        const said = development.claims
          .filter((claim) => knownFromMs(claim.reportedAt) <= version.knownFromMs)
          .map((claim) => claim.quote ?? '')
          .join(' ');
        const f = version.fields as { title: string; summary?: string; occurred?: { label?: string }; location?: string };
        const numbers = [f.title, f.summary, f.occurred?.label, f.location].join(' ').match(/\d[\d,]*/g) ?? [];
        expect({ id: development.id, unsaid: numbers.filter((n) => !said.includes(n.replace(/,$/, ''))) }).toEqual({ id: development.id, unsaid: [] });
      }
    }
  });

  it('passes the domain’s own checks when written through the decider', () => {
    expect(() => seedLog(data)).not.toThrow();
  });

  it('shows, as of every day from 2023-01-01 to 2024-10-31, no word of a description first given after that day (the replay fold)', () => {
    const log = seedLog(data);
    const leaks: string[] = [];
    let views = 0;
    for (const day of daysFrom('2023-01-01', '2024-10-31')) {
      const asOfMs = endOfDayMs(day);
      const known = replayKnowledge(log, { asOfMs, recordedAsOfMs: Number.MAX_SAFE_INTEGER });
      const knownIds = new Set(known.map((view) => view.id));
      for (const development of data.developments) {
        const knownFrom = knownFromMs(development.claims[0].reportedAt);
        if (knownIds.has(development.id) !== knownFrom <= asOfMs) leaks.push(`${day} ${development.id}: known ${knownIds.has(development.id)}`);
      }
      for (const view of known) {
        views += 1;
        const development = data.developments.find((d) => d.id === view.id)!;
        const words = hindsightWords(development, view as unknown as Record<string, unknown>, asOfMs);
        if (words.length > 0) leaks.push(`${day} ${view.id}: ${words.join(' ')}`);
        for (const claim of view.claims) if (knownFromMs(claim.reportedAt) > asOfMs) leaks.push(`${day} ${view.id}: claim ${claim.id}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(views).toBeGreaterThan(400);
  });

  it('would catch a leak: a revision dated too early shows its words before they were said', () => {
    const development = data.developments.find((d) => d.id === 'north-korean-troops-sent-to-russia')!;
    const early = { ...development, revisions: development.revisions!.map((r) => ({ ...r, basisClaimId: undefined, reportedAt: '2024-10-23' })) };
    const log = seedLog({ ...data, developments: [early] });
    const [view] = replayKnowledge(log, { asOfMs: endOfDayMs('2024-10-23'), recordedAsOfMs: Number.MAX_SAFE_INTEGER });
    // Measured against the dates the data gives (the NIS's figures on 24 October), the early view leaks.
    expect(hindsightWords(development, view as unknown as Record<string, unknown>, endOfDayMs('2024-10-23'))).toEqual(
      expect.arrayContaining(['3', 'special', 'forces']),
    );
  });
});
