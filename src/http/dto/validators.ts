import { ValidateIf, ValidationOptions, registerDecorator } from 'class-validator';
import { SLUG_PATTERN } from '../../domain/shared/slug';
import { TIME_MESSAGE, parseReportedTime } from '../../domain/shared/time';

/** Optional means absent: unlike `@IsOptional`, an explicit `null` is still validated (and refused). */
export const Optional = () => ValidateIf((_object, value) => value !== undefined);

/** A real calendar date `YYYY-MM-DD` or an ISO 8601 instant with an offset, in years 0000-9999 (UTC). */
export function IsTime(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTime',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property ${TIME_MESSAGE}`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && parseReportedTime(value) !== undefined },
    });
}

/** A lowercase slug id. */
export function IsSlug(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSlug',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a lowercase slug (a-z, 0-9, -), at most 120 characters', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && SLUG_PATTERN.test(value) },
    });
}

/** Copies only the keys whose value is defined, so events never hold `undefined`. */
export function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

const OCCURRED_KEYS = [new Set(['edtf', 'label']), new Set(['from', 'to', 'label'])];
const isShortText = (value: unknown, max: number) => typeof value === 'string' && value.length >= 1 && value.length <= max;

/**
 * `occurred` in one of its input forms: EDTF text, `{edtf, label?}`, or the older `{from?, to?,
 * label?}` (from and to as times). Only the form is checked here; the domain reads the EDTF.
 */
export function IsOccurredInput(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isOccurredInput',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be EDTF text (at most 100 characters), {edtf, label?}, or {from?, to?, label?} with times YYYY-MM-DD or ISO 8601 instants; label at most 300 characters',
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value === 'string') return isShortText(value, 100);
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          if (!OCCURRED_KEYS.some((keys) => entries.every(([key]) => keys.has(key)))) return false;
          return entries.every(([key, v]) =>
            key === 'label' ? isShortText(v, 300) : key === 'edtf' ? isShortText(v, 100) : typeof v === 'string' && parseReportedTime(v) !== undefined,
          );
        },
      },
    });
}
