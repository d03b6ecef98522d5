import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '@metrobici/common';

/** Path ids must be UUIDs; anything else is a 400 in the common error format, not a database error. */
export const UuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('VALIDATION_FAILED', 'El identificador debe ser un UUID.'),
});
