import type { OutboxEventMap, OutboxEventType } from './outbox-event.types';

/** The JSON type of one payload value, as the outbox contract test checks it. */
export type PayloadValueKind = 'string' | 'number' | 'boolean' | 'string|null';

type KindOf<V> = [V] extends [string]
  ? 'string'
  : [V] extends [number]
    ? 'number'
    : [V] extends [boolean]
      ? 'boolean'
      : [V] extends [string | null]
        ? 'string|null'
        : never;

/**
 * The event map at run time, derived key by key from `OutboxEventMap` (a key or value type that
 * drifts from the map fails `tsc`): what the contract test compares real rows against.
 */
export const OUTBOX_PAYLOAD_SHAPES: {
  [T in OutboxEventType]: { [K in keyof OutboxEventMap[T]]-?: KindOf<OutboxEventMap[T][K]> };
} = {
  'station.availability_changed': {
    stationId: 'string',
    bikesAvailable: 'number',
    spacesAvailable: 'number',
    helmetsAvailable: 'number',
    active: 'boolean',
    sequence: 'number',
    updatedAt: 'string',
  },
  'loan.opened': {
    loanId: 'string',
    journeyId: 'string',
    bikeId: 'string',
    fromStationId: 'string',
    startedAt: 'string',
  },
  'loan.closed': {
    loanId: 'string',
    journeyId: 'string',
    endReason: 'string',
    toStationId: 'string|null',
    endedAt: 'string',
  },
  'bike.damage_reported': { bikeId: 'string', bikeCode: 'string', stationId: 'string', note: 'string' },
  'bike.reported_missing': { bikeId: 'string', bikeCode: 'string', stationId: 'string|null', policeReport: 'string' },
  'loan.overdue': {
    loanId: 'string',
    bikeId: 'string',
    bikeCode: 'string',
    riderId: 'string',
    fromStationId: 'string',
    startedAt: 'string',
    dueAt: 'string',
  },
  'export.requested': { exportId: 'string', kind: 'string' },
  'export.progress': { exportId: 'string', state: 'string', progress: 'number' },
  'station.counters_drifted': {
    stationId: 'string',
    stationCode: 'string',
    bikesDocked: 'number',
    expectedBikesDocked: 'number',
    bikesAvailable: 'number',
    expectedBikesAvailable: 'number',
    detectedAt: 'string',
  },
  'outbox.dead_lettered': {
    outboxId: 'string',
    eventType: 'string',
    attempts: 'number',
    lastError: 'string',
    deadAt: 'string',
  },
  'alert.acknowledged': {
    alertId: 'string',
    stationId: 'string|null',
    audience: 'string',
    acknowledgedAt: 'string',
    acknowledgedBy: 'string',
  },
  'shift.count_mismatch': {
    shiftId: 'string',
    stationId: 'string',
    stationCode: 'string',
    phase: 'string',
    bikesCounted: 'number',
    bikesExpected: 'number',
    helmetsCounted: 'number',
    helmetsExpected: 'number',
    countedAt: 'string',
  },
  'incident.reported': {
    incidentId: 'string',
    type: 'string',
    stationId: 'string',
    stationCode: 'string',
    bikeCode: 'string|null',
    description: 'string',
    occurredAt: 'string',
  },
};

/** Problems of one payload against its event's shape (empty when it matches). */
export function payloadProblems(type: string, payload: unknown): string[] {
  const shape = (OUTBOX_PAYLOAD_SHAPES as Record<string, Record<string, PayloadValueKind> | undefined>)[type];
  if (!shape) return [`unknown event type ${type}`];
  if (typeof payload !== 'object' || payload === null) return [`${type}: payload is not an object`];
  const problems: string[] = [];
  const values = payload as Record<string, unknown>;
  for (const key of Object.keys(values)) if (!(key in shape)) problems.push(`${type}: extra key ${key}`);
  for (const [key, kind] of Object.entries(shape)) {
    if (!(key in values)) {
      problems.push(`${type}: missing key ${key}`);
      continue;
    }
    const value = values[key];
    const ok = kind === 'string|null' ? value === null || typeof value === 'string' : typeof value === kind;
    if (!ok) problems.push(`${type}.${key}: expected ${kind}, got ${value === null ? 'null' : typeof value}`);
  }
  return problems;
}
