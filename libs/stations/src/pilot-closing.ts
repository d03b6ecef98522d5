import type { EntityManager } from 'typeorm';
import { PilotEventEntity } from './pilot-event.entity';
import { PilotStateEntity } from './pilot-state.entity';
import { changeStationCounts } from './station-inventory';

/**
 * Writes of `pilot_state` and `pilot_events`, owned here (the pilot's closing decides whether bikes
 * leave stations) and called by `@metrobici/exports` `PilotService` in its transaction.
 */

/** Locks the single pilot_state row in the caller's transaction. */
export async function lockPilotState(manager: EntityManager): Promise<PilotStateEntity> {
  const state = await manager
    .getRepository(PilotStateEntity)
    .findOne({ where: { id: 1 }, lock: { mode: 'pessimistic_write' } });
  if (!state) throw new Error('pilot_state has no row: run the migrations');
  return state;
}

export interface PilotClosing {
  endDate: string;
  actorId: string;
  at: Date;
  /** Loans still open at the closing (logged, to follow up). */
  openLoans: number;
  finalExportId: string;
}

/** Marks the pilot closed and logs the closing; then every station republishes (no longer renting). */
export async function recordPilotClosed(manager: EntityManager, closing: PilotClosing): Promise<void> {
  await manager.update(
    PilotStateEntity,
    { id: 1 },
    {
      status: 'closed',
      endDate: closing.endDate,
      closedAt: closing.at,
      closedBy: closing.actorId,
      reopenedAt: null,
      reopenedBy: null,
      reopenReason: null,
      finalExportId: closing.finalExportId,
    },
  );
  await manager.insert(PilotEventEntity, {
    type: 'closed',
    endDate: closing.endDate,
    reason: null,
    actorId: closing.actorId,
    openLoans: closing.openLoans,
    exportId: closing.finalExportId,
    occurredAt: closing.at,
  });
  await republishStations(manager);
}

export interface PilotReopening {
  /** The end date announced at the closing being undone (kept in the log). */
  endDate: string | null;
  reason: string;
  actorId: string;
  at: Date;
  openLoans: number;
}

/** Marks the pilot running again and logs why; then every station republishes (renting again). */
export async function recordPilotReopened(manager: EntityManager, reopening: PilotReopening): Promise<void> {
  await manager.update(
    PilotStateEntity,
    { id: 1 },
    { status: 'running', reopenedAt: reopening.at, reopenedBy: reopening.actorId, reopenReason: reopening.reason },
  );
  await manager.insert(PilotEventEntity, {
    type: 'reopened',
    endDate: reopening.endDate,
    reason: reopening.reason,
    actorId: reopening.actorId,
    openLoans: reopening.openLoans,
    exportId: null,
    occurredAt: reopening.at,
  });
  await republishStations(manager);
}

/** Live maps and GBFS clients learn at once that stations stopped (or resumed) renting. */
async function republishStations(manager: EntityManager): Promise<void> {
  const stations = await manager.query<Array<{ id: string }>>(
    `SELECT id FROM stations WHERE kind = 'station' ORDER BY id`,
  );
  for (const s of stations) await changeStationCounts(manager, s.id, {});
}
