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
