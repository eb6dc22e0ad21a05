import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RecordDevelopmentCommand } from '../application/commands/record-development.handler';
import { RegisterSourceCommand } from '../application/commands/register-source.handler';
import { ReportClaimCommand } from '../application/commands/report-claim.handler';
import { ReviseDevelopmentCommand } from '../application/commands/revise-development.handler';
import { WriteResult } from '../application/write-result';
import { ClaimInput } from '../domain/development/claim-input';
import { DevelopmentInput } from '../domain/development/development.decider';
import { AlreadyExistsError } from '../domain/shared/domain.errors';
import { SourceProfile } from '../domain/source/source.events';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { CommandContext } from '../event-store/handle-command';
import { IdGenerator } from '../platform/ids';
import dataset from './data/north-korea-troops-2024-10.json';

/** Detail that became public after a development's first claim: written as a revision, known from `reportedAt`. */
export type SeedRevision = Readonly<{ id: string; reportedAt: string; basisClaimId?: string; reason: string; changes: Partial<DevelopmentInput> }>;

/**
 * The shape of a seed file: sources, then developments (the description as the first claim made it
 * known) with their claims in reportedAt order and their revisions. The rules it is written by:
 * `data/SOURCING.md`.
 */
export type SeedDataset = Readonly<{
  article: Readonly<{ title: string; url: string; publishedAt: string }>;
  sources: readonly ({ id: string } & SourceProfile)[];
  developments: readonly ({
    id: string;
    claims: readonly ({ id: string } & ClaimInput)[];
    revisions?: readonly SeedRevision[];
  } & DevelopmentInput)[];
}>;

export const ARTICLE_DATASET = dataset as unknown as SeedDataset;

export type SeedReport = { sources: number; developments: number; claims: number; revisions: number; skipped: number };

/**
 * Loads a dataset through the same commands an editor uses. Idempotent: ids come from the file and
 * event ids are derived from them, so what is already stored is skipped.
 */
@Injectable()
export class ArticleSeeder {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async seedIfEmpty(data: SeedDataset = ARTICLE_DATASET): Promise<SeedReport | undefined> {
    if ((await this.store.headPosition()) > 0n) return undefined;
    return this.seed(data);
  }

  async seed(data: SeedDataset = ARTICLE_DATASET): Promise<SeedReport> {
    const report: SeedReport = { sources: 0, developments: 0, claims: 0, revisions: 0, skipped: 0 };
    const context = (seed: string): CommandContext => ({
      correlationId: `seed:${data.article.url}`,
      actor: 'seed',
      ids: new IdGenerator(`seed:${seed}`),
    });
    const attempt = async (count: keyof SeedReport, command: object) => {
      try {
        const result = await this.commands.execute<object, WriteResult>(command);
        report[result.replayed ? 'skipped' : count] += 1;
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
        report.skipped += 1;
      }
    };

    for (const { id, ...profile } of data.sources) {
      await attempt('sources', new RegisterSourceCommand({ id, ...profile }, context(`source:${id}`)));
    }
    for (const { id, claims, revisions = [], ...fields } of data.developments) {
      const [first, ...rest] = claims;
      const { id: firstId, ...firstClaim } = first;
      await attempt(
        'developments',
        new RecordDevelopmentCommand({ id, fields, claim: firstClaim, claimId: firstId }, context(`development:${id}`)),
      );
      for (const { id: claimId, ...claim } of rest) {
        await attempt('claims', new ReportClaimCommand({ developmentId: id, claim, claimId }, context(`claim:${claimId}`)));
      }
      // After every claim, so each basis claim is stored; a rerun derives the same ids and appends nothing.
      for (const { id: revision, ...input } of revisions) {
        await attempt('revisions', new ReviseDevelopmentCommand({ developmentId: id, ...input }, context(`revision:${id}:${revision}`)));
      }
    }
    this.logger.log(
      `seeded ${report.sources} sources, ${report.developments} developments, ${report.claims} further claims, ${report.revisions} revisions (${report.skipped} already stored)`,
    );
    return report;
  }
}
