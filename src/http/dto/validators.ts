import { ValidateIf, ValidationOptions, registerDecorator } from 'class-validator';
import { MAX_TOPICS_ASKED, parseTopicList } from '../../domain/knowledge/topics';
import { SEARCH_QUERY_MESSAGE, parseSearchQuery } from '../../domain/knowledge/search-terms';
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

/** `a,b`: one to 20 topics, each of 1 to 200 characters once trimmed (`parseTopicList`). */
export function IsTopicList(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTopicList',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be 1 to ${MAX_TOPICS_ASKED} comma-separated topics, each of 1 to 200 characters`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && value.length <= 5000 && parseTopicList(value) !== undefined },
    });
}

/** `q`: search terms (`parseSearchQuery`). */
export function IsSearchQuery(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSearchQuery',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property ${SEARCH_QUERY_MESSAGE}`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && parseSearchQuery(value) !== undefined },
    });
}

/** Copies only the keys whose value is defined, so events never hold `undefined`. */
export function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

/**
 * `occurred` in one of its input forms: text, or an object (`{edtf, label?}` or the older `{from?,
 * to?, label?}`). Only the form is checked here; the domain reads each field and names the one it refuses.
 */
export function IsOccurredInput(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isOccurredInput',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be EDTF text, {edtf, label?}, or {from?, to?, label?}', ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
      },
    });
}
