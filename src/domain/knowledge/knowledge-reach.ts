import { DevelopmentEvent } from '../development/development.events';
import { SourceEvent } from '../source/source.events';
import { timeMs } from './development-view';

/**
 * The earliest knowledge time whose view an event can change (the view of a development or of a
 * source, as of any time at or after it, as recorded at any time). Views as of an earlier time are
 * the same before and after it: nothing shows before it is reported (SPEC §2).
 *
 * - a claim, a retraction, a revision, a rating: its `reportedAt` (a retraction before the claim it
 *   retracts takes effect only once the claim is known, later still);
 * - a development recorded: none by itself (+∞): it is known from its first claim, appended with it;
 * - a correction: every time (−∞), as it may move a time it does not carry (the one it corrects);
 * - a source registered: every time, as every view lists it and every claim of it embeds it;
 * - anything else, and a time that does not parse: every time.
 */
export function knowledgeReachOf(event: Readonly<{ type: string; data: unknown }>): number {
  const known = event as DevelopmentEvent | SourceEvent;
  switch (known.type) {
    case 'ClaimReported':
    case 'ClaimRetracted':
    case 'DevelopmentRevised':
    case 'SourceRated':
      return orEveryTime(timeMs(known.data.reportedAt));
    case 'DevelopmentRecorded':
      return Number.POSITIVE_INFINITY;
    default:
      return Number.NEGATIVE_INFINITY;
  }
}

/** A knowledge time, or every time (−∞) for one that does not parse. */
export const orEveryTime = (ms: number): number => (Number.isFinite(ms) ? ms : Number.NEGATIVE_INFINITY);
