import { occurredFromLegacy } from './occurred';

/**
 * How development events written at schema version 1 read today (SPEC §3: old events are upcast on
 * read, never rewritten). Version 1 held `occurred` as `{from?, to?, label?}` and quantities without
 * a `measure`; version 2 holds `occurred` as `{edtf?, label?}` and every quantity with its measure
 * (the unit, when none was given: "without one, the unit is the measure").
 */
type Data = Record<string, unknown>;

const occurredV2 = (occurred: unknown): unknown => {
  if (occurred === null || typeof occurred !== 'object' || 'edtf' in occurred) return occurred;
  // `{}` (nothing known: a v1 correction could clear `occurred` so) stays `{}`, read as unknown.
  return occurredFromLegacy(occurred as { from?: string; to?: string; label?: string }) ?? {};
};

const quantityV2 = (quantity: unknown): unknown => {
  if (quantity === null || typeof quantity !== 'object' || 'measure' in quantity) return quantity;
  return { measure: (quantity as { unit?: unknown }).unit, ...quantity };
};

/** Sets `key` of `object` to `change(value)` when it is present, dropping it when the change leaves nothing. */
function mapKey(object: Data, key: string, change: (value: unknown) => unknown): Data {
  if (!(key in object)) return object;
  const { [key]: value, ...rest } = object;
  const next = change(value);
  return next === undefined ? rest : { ...rest, [key]: next };
}

const inChanges = (data: Data, key: string, change: (value: unknown) => unknown): Data =>
  typeof data.changes === 'object' && data.changes !== null ? { ...data, changes: mapKey(data.changes as Data, key, change) } : data;

/** Upcasters from version 1 to 2, by event type. */
export const DEVELOPMENT_UPCASTERS_FROM_V1: Readonly<Record<string, (data: Data) => Data>> = {
  DevelopmentRecorded: (data) => mapKey(data, 'occurred', occurredV2),
  DevelopmentCorrected: (data) => inChanges(data, 'occurred', occurredV2),
  ClaimReported: (data) => mapKey(data, 'quantity', quantityV2),
  ClaimCorrected: (data) => inChanges(data, 'quantity', quantityV2),
};
