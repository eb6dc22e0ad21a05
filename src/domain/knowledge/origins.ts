/** What origin tracing reads of one known claim. */
export type ClaimLink = Readonly<{ claimId: string; sourceId: string; derivedFrom?: string }>;

/**
 * SPEC §2: a claim's origin is the origin of the claim it is `derivedFrom`, followed to the end,
 * else its source's affiliation (`affiliationOf` maps a source without one to its own id).
 *
 * Only claims in `known` are followed: a `derivedFrom` to a claim not in `known` makes the claim its
 * own origin (as of a date the original was not yet known, the repetition is all anyone had).
 * A cycle (possible through corrections) is cut at its least claimId, which takes its own source's
 * affiliation; every claim on or leading into the cycle shares that origin. The answer depends only
 * on the set of claims, never on their order. `claimId`s are assumed distinct.
 */
export function originsOf(
  known: readonly ClaimLink[],
  affiliationOf: (sourceId: string) => string,
): Map<string, string> {
  const byId = new Map(known.map((claim) => [claim.claimId, claim]));
  const origins = new Map<string, string>();
  const ownOrigin = (claimId: string) => affiliationOf(byId.get(claimId)!.sourceId);

  for (const { claimId } of known) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let current = claimId;
    let origin: string;
    for (;;) {
      const settled = origins.get(current);
      if (settled !== undefined) {
        origin = settled;
        break;
      }
      onPath.set(current, path.length);
      path.push(current);
      const next = byId.get(current)!.derivedFrom;
      if (next === undefined || !byId.has(next)) {
        origin = ownOrigin(current);
        break;
      }
      const closesAt = onPath.get(next);
      if (closesAt !== undefined) {
        origin = ownOrigin(path.slice(closesAt).reduce((least, id) => (id < least ? id : least)));
        break;
      }
      current = next;
    }
    for (const id of path) origins.set(id, origin);
  }
  return origins;
}
