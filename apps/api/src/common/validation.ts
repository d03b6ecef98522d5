import { type ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '@metrobici/common';
import { DATE_IN_RANGE, EARLIEST_DATE, LATEST_DATE } from './dates';
import { spanishProblem } from './validation-messages';

/** Global pipe: unknown fields rejected, types converted, failures as VALIDATION_FAILED with details. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors: ValidationError[]) => {
      const fields = flatten(errors);
      // A well-formed date outside the accepted years has its own code, so clients can say so.
      if (onlyDateRange(errors)) {
        return new DomainError('DATE_OUT_OF_RANGE', `Las fechas deben estar entre ${EARLIEST_DATE} y ${LATEST_DATE}.`, {
          fields,
          earliest: EARLIEST_DATE,
          latest: LATEST_DATE,
        });
      }
      return new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', { fields });
    },
  });
}

function onlyDateRange(errors: ValidationError[]): boolean {
  const constraints = (list: ValidationError[]): string[] =>
    list.flatMap((e) => [...Object.keys(e.constraints ?? {}), ...constraints(e.children ?? [])]);
  const all = constraints(errors);
  return all.length > 0 && all.every((c) => c === DATE_IN_RANGE);
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
