import { DomainError, InvalidInputError } from '../domain/shared/domain.errors';

/** No event at this position is in the audit tree (yet). */
export class LeafNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(readonly position: bigint) {
    super(`no event at position ${position} is in the audit tree`);
  }
}

/** A tree size outside the tree, or sizes in the wrong order. */
export class TreeSizeError extends InvalidInputError {
  constructor(field: string, message: string) {
    super(`${field} ${message}`, [{ field, message }]);
  }
}
