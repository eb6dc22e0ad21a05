import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validate } from 'class-validator';
import { FieldError } from '../domain/shared/domain.errors';
import { RequestValidationError } from './problem';

const PLAIN_TYPES: unknown[] = [String, Boolean, Number, Array, Object];

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
