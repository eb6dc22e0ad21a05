import { CheckpointPoint, samePoint } from '../projection';
import { ClaimRow, RecordedClaims, RetractionRow } from './status-segments.diff';

/** Claim versions kept at most, over every development (about 1 KB each with their parsed fields: some 20 MB). */
export const MAX_KEPT_CLAIMS = 20_000;

/** Sources' origins kept at most (beyond it they are all dropped and read again as needed). */
export const MAX_KEPT_ORIGINS = 10_000;

/** A claim version with its source (the status timeline counts claims by their sources' origins). */
export type SourcedClaimRow = ClaimRow & Readonly<{ source_id: string }>;

/** What is kept of a development's claims: {@link RecordedClaims} with each claim's source. */
export type KeptClaims = Readonly<Omit<RecordedClaims, 'claims'> & { claims: readonly SourcedClaimRow[] }>;

type Kept = { firstClaimId: string; claims: Map<string, SourcedClaimRow>; retractions: Map<string, RetractionRow> };

/**
 * What the knowledge projection last read or wrote of each development's claims (its current claim
 * versions, retractions and first claim), kept between batches, so that re-deriving a development's
 * status timeline after a claim does not read all its claims again: that read grew with the
 * development (half a millisecond a write at a thousand claims).
 *
 * What is kept is the rows as the projection's last batch left them. It holds only while the read
 * model is where that batch left it: {@link begin} compares the checkpoint the next batch starts
 * from with the one the last batch ended at ({@link end}) and drops everything when they differ
 * (the batch was rolled back, another process or instance applied events, the rows were emptied and
 * rebuilt: a new generation). Within a batch, the projection reports each row it writes
 * ({@link claimVersion}, {@link retraction}) before it re-derives from them.
 *
 * It also keeps the origin of each registered source it read ({@link originOf}): a source's row is
 * written once and never changes (a second registration of its id is ignored), so only a batch
 * rolled back, or rows emptied, can take one away, and those drop everything kept.
 */
export class RecordedClaimsCache {
  /** Least recently used first. */
  private readonly kept = new Map<string, Kept>();
  private keptClaims = 0;
  private readonly origins = new Map<string, string>();
  /** Where the last batch that completed left the checkpoint; undefined while a batch runs, or after one failed. */
  private keptAt: CheckpointPoint | undefined;

  /** A batch starts from `from`: what is kept is dropped unless the last batch left the read model there. */
  begin(from: CheckpointPoint): void {
    if (this.keptAt === undefined || !samePoint(this.keptAt, from)) this.clear();
    this.keptAt = undefined;
  }

  /** The batch applied every event: its transaction, once committed, leaves the checkpoint at `to`. */
  end(to: CheckpointPoint): void {
    this.keptAt = to;
  }

  /** The last batch's transaction was rolled back: the next batch drops what is kept. */
  rolledBack(): void {
    this.keptAt = undefined;
  }

  /** A development's recorded claims as kept, or undefined: read them, then {@link keep} them. */
  get(developmentId: string): KeptClaims | undefined {
    const kept = this.kept.get(developmentId);
    if (!kept) return undefined;
    this.kept.delete(developmentId);
    this.kept.set(developmentId, kept);
    return { firstClaimId: kept.firstClaimId, claims: [...kept.claims.values()], retractions: [...kept.retractions.values()] };
  }

  /** Keeps a development's recorded claims as read from the read model, in this batch; answers them. */
  keep(developmentId: string, recorded: KeptClaims): KeptClaims {
    this.forget(developmentId);
    const kept: Kept = {
      firstClaimId: recorded.firstClaimId,
      claims: new Map(recorded.claims.map((row) => [row.claim_id, row])),
      retractions: new Map(recorded.retractions.map((row) => [row.claim_id, row])),
    };
    this.kept.set(developmentId, kept);
    this.keptClaims += kept.claims.size;
    for (const id of this.kept.keys()) {
      if (this.keptClaims <= MAX_KEPT_CLAIMS || id === developmentId) break;
      this.forget(id);
    }
    return recorded;
  }

  /** A claim's new current version, written to the read model (it replaces the claim's previous one). */
  claimVersion(developmentId: string, row: SourcedClaimRow): void {
    const kept = this.kept.get(developmentId);
    if (!kept) return;
    if (!kept.claims.delete(row.claim_id)) this.keptClaims += 1;
    kept.claims.set(row.claim_id, row);
  }

  /** A claim's retraction, written to the read model. */
  retraction(developmentId: string, row: RetractionRow): void {
    this.kept.get(developmentId)?.retractions.set(row.claim_id, row);
  }

  /** The origin of a registered source, as read in a batch since the read model was last where a batch left it; else undefined. */
  originOf(sourceId: string): string | undefined {
    return this.origins.get(sourceId);
  }

  /** Keeps the origin of a source read from the read model (registered: a source not found there has none to keep). */
  keepOrigin(sourceId: string, origin: string): void {
    if (this.origins.size >= MAX_KEPT_ORIGINS) this.origins.clear();
    this.origins.set(sourceId, origin);
  }

  private forget(developmentId: string): void {
    const kept = this.kept.get(developmentId);
    if (!kept) return;
    this.keptClaims -= kept.claims.size;
    this.kept.delete(developmentId);
  }

  private clear(): void {
    this.kept.clear();
    this.keptClaims = 0;
    this.origins.clear();
  }
}
