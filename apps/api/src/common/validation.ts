import { type ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '@metrobici/common';
import { spanishProblem } from './validation-messages';

/** Global pipe: unknown fields rejected, types converted, failures as VALIDATION_FAILED with details. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors: ValidationError[]) =>
      new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', { fields: flatten(errors) }),
  });
}

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints
      ? [
          {
            field,
            problems: Object.entries(e.constraints).map(([constraint, message]) => spanishProblem(constraint, message)),
          },
        ]
      : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
