import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validate } from 'class-validator';
import { FieldError } from '../domain/shared/domain.errors';
import { RequestValidationError } from './problem';

const PLAIN_TYPES: unknown[] = [String, Boolean, Number, Array, Object];
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Keys that could reach an object's prototype: refused wherever they appear (class-transformer drops them silently). */
function forbiddenKeys(value: unknown, path = ''): FieldError[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const field = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return [{ field, message: `property ${key} is not allowed` }];
    return forbiddenKeys((value as Record<string, unknown>)[key], field);
  });
}

function flatten(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Bodies and query strings into DTO instances: a JSON object of known fields and right types, or a 400. */
@Injectable()
export class DtoValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (!type || PLAIN_TYPES.includes(type) || (metadata.type !== 'body' && metadata.type !== 'query')) return value;
    if (metadata.type === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new RequestValidationError('the body must be a JSON object', [{ field: '', message: 'must be a JSON object' }]);
    }
    const forbidden = forbiddenKeys(value);
    if (forbidden.length > 0) throw new RequestValidationError(forbidden.map((error) => error.message).join('; '), forbidden);
    const instance = plainToInstance(type, { ...(value as object) }) as object;
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    if (errors.length > 0) {
      const fields = flatten(errors);
      throw new RequestValidationError(
        fields.map((error) => `${error.field}: ${error.message}`).join('; '),
        fields,
      );
    }
    return instance;
  }
}
