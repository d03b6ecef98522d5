/**
 * Every rule a request can break has a machine-readable code. The API maps each code to an HTTP
 * status in one `Record<ErrorCode, number>`, so adding a code here does not compile until it is
 * mapped there.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'FORBIDDEN'
  | 'STATION_NOT_ALLOWED'
  | 'ROUTE_NOT_FOUND'
  | 'STATION_NOT_FOUND'
  | 'BIKE_NOT_FOUND'
  | 'DONOR_NOT_FOUND'
  | 'RIDER_NOT_FOUND'
  | 'LOAN_NOT_FOUND'
  | 'REBALANCING_MOVE_NOT_FOUND'
  | 'STAFF_NOT_FOUND'
  | 'BIKE_NOT_AVAILABLE'
  | 'BIKE_NOT_AT_STATION'
  | 'BIKE_NOT_ON_LOAN'
  | 'BIKE_STATE_CONFLICT'
  | 'BIKE_CODE_TAKEN'
  | 'RIDER_HAS_OPEN_LOAN'
  | 'RIDER_NOT_VERIFIED'
  | 'RIDER_SUSPENDED'
  | 'RIDER_ALREADY_REGISTERED'
  | 'RIDER_ALREADY_VERIFIED'
  | 'RIDER_TOO_YOUNG'
  | 'GUARDIAN_REQUIRED'
  | 'CONSENT_REQUIRED'
  | 'STATION_FULL'
  | 'STATION_CLOSED'
  | 'STATION_INACTIVE'
  | 'STATION_CODE_TAKEN'
  | 'CAPACITY_BELOW_OCCUPANCY'
  | 'HELMET_NOT_AVAILABLE'
  | 'PILOT_NOT_RUNNING'
  | 'LOAN_NOT_OPEN'
  | 'JOB_NOT_FOUND'
  | 'JOB_NOT_FAILED'
  | 'EXPORT_NOT_FOUND'
  | 'EXPORT_NOT_READY'
  | 'PILOT_ALREADY_CLOSED'
  | 'PILOT_NOT_CLOSED'
  | 'STAFF_EMAIL_TAKEN'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_IN_PROGRESS'
  | 'RATE_LIMITED'
  | 'ACCOUNT_LOCKED'
  | 'DATE_OUT_OF_RANGE'
  | 'EXPORTS_IN_FLIGHT'
  | 'REVERT_WINDOW_PASSED'
  | 'STATION_NOT_PUBLIC'
  | 'RIDER_HOLDS_BIKE'
  | 'RIDER_ANONYMISED'
  | 'GUARDIAN_NOT_ADULT'
  | 'EXPORT_NOT_AWAITING_APPROVAL'
  | 'SESSION_NOT_FOUND'
  | 'ALERT_NOT_FOUND'
  | 'SHIFT_NOT_FOUND'
  | 'SHIFT_ALREADY_OPEN'
  | 'SHIFT_CLOSED'
  | 'INCIDENT_NOT_FOUND'
  | 'RECEIPT_NOT_FOUND'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
