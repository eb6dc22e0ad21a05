import { InvalidInputError } from '../shared/domain.errors';
import { axisBoundMs, axisStartMs, requireReportedTime } from '../shared/time';
import { Occurred } from './development.events';
import { occurredFromLegacy, requireOccurred } from './occurred';

/** The older form of `occurred`: either side may be open; a day or an instant each. */
export type LegacyOccurred = Readonly<{ from?: string; to?: string; label?: string }>;

/** `occurred` as an editor may give it: EDTF text, `{edtf, label}`, or the older `{from, to, label}`. */
export type OccurredInput = string | Readonly<{ edtf: string; label?: string }> | LegacyOccurred;

const LABEL_LENGTH = 300;
const KEYS = new Set(['edtf', 'from', 'to', 'label']);

const refuse = (field: string, message: string): never => {
  throw new InvalidInputError(`${field} ${message}`, [{ field, message }]);
};

/**
 * Whichever form was given, the one form events hold: `{edtf?, label?}`, checked field by field
 * (the input is read as JSON gave it, so every field error names its field).
 */
export function requireOccurredInput(input: OccurredInput, field: string): Occurred {
  if (typeof input === 'string') return requireOccurred({ edtf: input }, field);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return refuse(field, 'must be EDTF text, {edtf, label?} or {from?, to?, label?}');
  const given = input as Record<string, unknown>;
  for (const key of Object.keys(given)) if (!KEYS.has(key)) refuse(`${field}.${key}`, 'is not a field of occurred');
  for (const key of ['edtf', 'from', 'to', 'label']) {
    const value = given[key];
    if (key in given && (typeof value !== 'string' || value.length === 0 || value.length > LABEL_LENGTH)) {
      refuse(`${field}.${key}`, `must be text of 1 to ${LABEL_LENGTH} characters`);
    }
  }
  const label = given.label as string | undefined;
  if ('edtf' in given) {
    if ('from' in given || 'to' in given) refuse(field, 'must give edtf or from/to, not both');
    return requireOccurred({ edtf: given.edtf as string, ...(label === undefined ? {} : { label }) }, field);
  }
  const from = given.from === undefined ? undefined : requireReportedTime(given.from as string, `${field}.from`);
  const to = given.to === undefined ? undefined : requireReportedTime(given.to as string, `${field}.to`);
  if (from && to && axisBoundMs(to) < axisStartMs(from)) refuse(`${field}.to`, `must not be before ${field}.from`);
  if (!from && !to) return label === undefined ? refuse(field, 'must give edtf, from/to or a label') : { label };
  const occurred = occurredFromLegacy({ from: from?.text, to: to?.text, label });
  // The older form reads as the EDTF interval from/to; an interval EDTF cannot read is refused as such.
  if (occurred?.edtf !== undefined) requireOccurred({ edtf: occurred.edtf }, field);
  return occurred!;
}
