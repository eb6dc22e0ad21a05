import { InvalidInputError } from '../shared/domain.errors';
import { requireReportedTime } from '../shared/time';
import { Occurred } from './development.events';
import { occurredFromLegacy, requireOccurred } from './occurred';

/** The older form of `occurred`: either side may be open; a day or an instant each. */
export type LegacyOccurred = Readonly<{ from?: string; to?: string; label?: string }>;

/** `occurred` as an editor may give it: EDTF text, `{edtf, label}`, or the older `{from, to, label}`. */
export type OccurredInput = string | Readonly<{ edtf: string; label?: string }> | LegacyOccurred;

/** Whichever form was given, the one form events hold: `{edtf?, label?}`, checked. */
export function requireOccurredInput(input: OccurredInput, field: string): Occurred {
  if (typeof input === 'string') return requireOccurred({ edtf: input }, field);
  if ('edtf' in input) {
    if ('from' in input || 'to' in input) {
      throw new InvalidInputError(`${field} takes edtf or from/to, not both`, [{ field, message: 'must give edtf or from/to, not both' }]);
    }
    return requireOccurred(input, field);
  }
  const legacy = input as LegacyOccurred;
  const from = legacy.from === undefined ? undefined : requireReportedTime(legacy.from, `${field}.from`);
  const to = legacy.to === undefined ? undefined : requireReportedTime(legacy.to, `${field}.to`);
  if (from && to && to.ms < from.ms) {
    throw new InvalidInputError(`${field}.to is before ${field}.from`, [{ field: `${field}.to`, message: `must not be before ${field}.from` }]);
  }
  if (!from && !to && legacy.label === undefined) {
    throw new InvalidInputError(`${field} is empty`, [{ field, message: 'must give edtf, from/to or a label' }]);
  }
  return occurredFromLegacy({ from: from?.text, to: to?.text, label: legacy.label }) ?? { label: legacy.label! };
}
