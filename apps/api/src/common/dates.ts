import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Dates the API accepts anywhere: nothing before the year the pilot started, nothing after 2100.
 * Without a bound a valid-looking `9999-12-31` reached PostgreSQL's timestamp arithmetic and
 * answered 500; now it is a 400 DATE_OUT_OF_RANGE.
 */
export const EARLIEST_DATE = '2019-01-01';
export const LATEST_DATE = '2100-12-31';
export const DATE_IN_RANGE = 'isDateInRange';

/** A `YYYY-MM-DD` string (format checked by its own decorator) between EARLIEST_DATE and LATEST_DATE. */
export function IsDateInRange(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: DATE_IN_RANGE,
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' ||
          !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
          (value >= EARLIEST_DATE && value <= LATEST_DATE),
        defaultMessage: () => `debe estar entre ${EARLIEST_DATE} y ${LATEST_DATE}`,
      },
    },
    options,
  );
}
