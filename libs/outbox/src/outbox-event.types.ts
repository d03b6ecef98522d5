/** Every event that leaves the database, by name. Payloads carry ids and small facts only. */
export interface OutboxEventMap {
  'station.availability_changed': {
    stationId: string;
    bikesAvailable: number;
    spacesAvailable: number;
    helmetsAvailable: number;
    active: boolean;
    sequence: number;
    updatedAt: string;
  };
  'loan.opened': { loanId: string; journeyId: string; bikeId: string; fromStationId: string; startedAt: string };
  'loan.closed': { loanId: string; journeyId: string; endReason: string; toStationId: string | null; endedAt: string };
  'bike.damage_reported': { bikeId: string; bikeCode: string; stationId: string; note: string };
  'bike.reported_missing': { bikeId: string; bikeCode: string; stationId: string | null; policeReport: string };
  'loan.overdue': {
    loanId: string;
    bikeId: string;
    bikeCode: string;
    riderId: string;
    fromStationId: string;
    startedAt: string;
    dueAt: string;
  };
  /** A data package to build (the relay enqueues `export.build` with jobId `outbox-<id>`). */
  'export.requested': { exportId: string; kind: 'on_request' | 'nightly' | 'pilot_final' };
  'export.progress': { exportId: string; state: 'queued' | 'active' | 'completed' | 'failed'; progress: number };
  /** Reconciliation found a station's counters differing from the bikes table (an admin alert with the numbers). */
  'station.counters_drifted': {
    stationId: string;
    stationCode: string;
    bikesDocked: number;
    expectedBikesDocked: number;
    bikesAvailable: number;
    expectedBikesAvailable: number;
    detectedAt: string;
  };
  /** The relay gave up on a row after OUTBOX_MAX_ATTEMPTS failures and set it aside (an admin alert). */
  'outbox.dead_lettered': { outboxId: string; eventType: string; attempts: number; lastError: string; deadAt: string };
  /** A stored alert was acknowledged (the staff sockets drop it from their open list). */
  'alert.acknowledged': {
    alertId: string;
    stationId: string | null;
    audience: string;
    acknowledgedAt: string;
    acknowledgedBy: string;
  };
  /** A shift's count at its start or end differs from the system's (an alert with the differences). */
  'shift.count_mismatch': {
    shiftId: string;
    stationId: string;
    stationCode: string;
    phase: string;
    bikesCounted: number;
    bikesExpected: number;
    helmetsCounted: number;
    helmetsExpected: number;
    countedAt: string;
  };
  /** An incident at a station (an injury is an alert to the admins). */
  'incident.reported': {
    incidentId: string;
    type: string;
    stationId: string;
    stationCode: string;
    bikeCode: string | null;
    description: string;
    occurredAt: string;
  };
}

export type OutboxEventType = keyof OutboxEventMap;

export interface OutboxMessage<T extends OutboxEventType = OutboxEventType> {
  type: T;
  aggregateId: string | null;
  payload: OutboxEventMap[T];
}

export function outboxMessage<T extends OutboxEventType>(
  type: T,
  aggregateId: string | null,
  payload: OutboxEventMap[T],
): OutboxMessage<T> {
  return { type, aggregateId, payload };
}
