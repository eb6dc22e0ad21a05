/** A field-level reason an input was refused. */
export type FieldError = Readonly<{ field: string; message: string }>;

/**
 * Base of every error the domain raises. `code` is stable and carries no HTTP meaning: the HTTP
 * layer maps codes to statuses in one place.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input breaks a rule of the domain (bad date order, empty correction, ...). */
export class InvalidInputError extends DomainError {
  readonly code = 'INVALID_INPUT';
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

/** An id names nothing that exists (as of the moment the command is decided). */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: 'source' | 'development' | 'claim' | 'revision',
    readonly id: string,
    readonly field?: string,
  ) {
    super(`${entity} '${id}' does not exist`);
  }
}

/**
 * An id names something recorded (as of the asked transaction time) that was not yet known at the
 * asked knowledge time: it exists in the record, but a view as of then must not show it.
 */
export class NotKnownError extends DomainError {
  readonly code = 'NOT_KNOWN';
  constructor(
    readonly entity: 'development',
    readonly id: string,
    /** The knowledge time asked, as an instant. */
    readonly asOf: string,
  ) {
    super(`${entity} '${id}' is not known as of ${asOf}`);
  }
}

/** Creating something whose id is already taken. */
export class AlreadyExistsError extends DomainError {
  readonly code = 'ALREADY_EXISTS';
  constructor(
    readonly entity: 'source' | 'development' | 'claim' | 'revision',
    readonly id: string,
  ) {
    super(`${entity} '${id}' already exists`);
  }
}

/** The command is valid but the current state forbids it (retracting a retracted claim, ...). */
export class StateConflictError extends DomainError {
  readonly code = 'STATE_CONFLICT';
}
