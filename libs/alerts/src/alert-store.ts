import type { EntityManager } from 'typeorm';
import type { AlertAudience, AlertKind, AlertResolvedEvent, OperationsAlert } from '@metrobici/realtime';

type Queryable = Pick<EntityManager, 'query'>;

/** An alert to raise from one outbox row. */
export interface AlertDraft {
  outboxId: string;
  kind: AlertKind;
  stationId: string | null;
  audience: AlertAudience;
  message: string;
  since: string;
  data: Record<string, unknown>;
  /** A lasting condition: raised only when none with this key is unresolved. */
  conditionKey?: string;
}

/** What one outbox row does to the alerts, in row order. */
export type AlertChange =
  | { type: 'raise'; draft: AlertDraft }
  /** `outboxId`: the row that ended the condition (it ends only alerts raised by earlier rows). */
  | { type: 'resolve'; conditionKey: string; at: string; outboxId: string };

export const conditionKeys = {
  stationEmpty: (stationId: string) => `station_empty:${stationId}`,
  stationFull: (stationId: string) => `station_full:${stationId}`,
  loanOverdue: (loanId: string) => `loan_overdue:${loanId}`,
};

export interface AppliedAlertChanges {
  /** Alerts stored by these changes (or by an earlier publication of the same rows), to push. */
  raised: Array<OperationsAlert & { outboxId: string }>;
  /** Alerts stored earlier whose condition ended now. */
  resolved: AlertResolvedEvent[];
}

/**
 * Applies a relay batch's alert changes in order: raises the new alerts (idempotently: an outbox
 * row raises its alert once) and resolves those whose condition ended. Conditions are followed by
 * key, so an empty station alerts on the transition to empty, not on every later change while it
 * stays empty, and one that empties, refills and empties again within a batch gets two alerts, the
 * first already resolved. Runs outside a transaction: every statement is idempotent, and only one
 * relay publishes at a time.
 */
export async function applyAlertChanges(db: Queryable, changes: AlertChange[]): Promise<AppliedAlertChanges> {
  if (changes.length === 0) return { raised: [], resolved: [] };
  const keys = new Set<string>();
  for (const c of changes) {
    const key = c.type === 'raise' ? c.draft.conditionKey : c.conditionKey;
    if (key) keys.add(key);
  }
  const openRows: Array<{ id: string; condition_key: string; outbox_id: string }> =
    keys.size === 0
      ? []
      : await db.query(
          `SELECT id, condition_key, outbox_id FROM alerts WHERE resolved_at IS NULL AND condition_key = ANY($1::varchar[])`,
          [[...keys]],
        );
  type Pending = AlertDraft & { resolvedAt: string | null };
  const open = new Map<string, { stored: string; outboxId: string } | { pending: Pending }>();
  for (const r of openRows) open.set(r.condition_key, { stored: String(r.id), outboxId: String(r.outbox_id) });
  const drafts: Pending[] = [];
  const toResolve: Array<{ id: string; at: string }> = [];
  for (const change of changes) {
    if (change.type === 'raise') {
      const key = change.draft.conditionKey;
      if (key && open.has(key)) continue;
      const pending: Pending = { ...change.draft, resolvedAt: null };
      drafts.push(pending);
      if (key) open.set(key, { pending });
    } else {
      const current = open.get(change.conditionKey);
      if (!current) continue;
      if ('stored' in current) {
        // Rows go out in id order, so a row only ends conditions raised by earlier rows: a batch
        // published again must not let its early rows resolve an alert its later rows raised.
        if (BigInt(current.outboxId) >= BigInt(change.outboxId)) continue;
        toResolve.push({ id: current.stored, at: change.at });
      } else current.pending.resolvedAt = change.at;
      open.delete(change.conditionKey);
    }
  }

  const resolved: AlertResolvedEvent[] = [];
  if (toResolve.length > 0) {
    type Resolved = { id: string; kind: AlertKind; station_id: string | null; resolved_at: Date };
    const result: Resolved[] | [Resolved[], number] = await db.query(
      `UPDATE alerts a SET resolved_at = v.at
         FROM unnest($1::bigint[], $2::timestamptz[]) AS v(id, at)
        WHERE a.id = v.id AND a.resolved_at IS NULL
       RETURNING a.id, a.kind, a.station_id, a.resolved_at`,
      [toResolve.map((r) => r.id), toResolve.map((r) => r.at)],
    );
    // TypeORM's postgres driver answers [rows, affected] for UPDATE ... RETURNING.
    const rows = (Array.isArray(result[0]) ? result[0] : result) as Resolved[];
    for (const r of rows) {
      resolved.push({
        id: String(r.id),
        kind: r.kind,
        stationId: r.station_id,
        resolvedAt: new Date(r.resolved_at).toISOString(),
      });
    }
  }

  if (drafts.length === 0) return { raised: [], resolved };
  const params: unknown[] = [];
  const values = drafts.map((d) => {
    const base = params.length;
    params.push(
      d.outboxId,
      d.kind,
      d.stationId,
      d.audience,
      d.message,
      JSON.stringify(d.data),
      d.since,
      d.conditionKey ?? null,
      d.resolvedAt,
    );
    const p = (i: number) => `$${base + i}`;
    return `(${p(1)}::bigint, ${p(2)}, ${p(3)}::uuid, ${p(4)}, ${p(5)}, ${p(6)}::jsonb, ${p(7)}::timestamptz, ${p(8)}, ${p(9)}::timestamptz)`;
  });
  // Any unique violation means "already raised" (a batch published again after a crash).
  await db.query(
    `INSERT INTO alerts (outbox_id, kind, station_id, audience, message, data, since, condition_key, resolved_at)
     VALUES ${values.join(', ')}
     ON CONFLICT DO NOTHING`,
    params,
  );
  const stored: AlertRow[] = await db.query(
    `SELECT a.* FROM alerts a
       JOIN unnest($1::bigint[], $2::varchar[]) AS d(outbox_id, kind) ON a.outbox_id = d.outbox_id AND a.kind = d.kind
      ORDER BY a.id`,
    [drafts.map((d) => d.outboxId), drafts.map((d) => d.kind)],
  );
  return { raised: stored.map((r) => ({ ...toAlertView(r), outboxId: String(r.outbox_id) })), resolved };
}

/** A row of `alerts` as read with SQL. */
export interface AlertRow {
  id: string;
  outbox_id: string;
  kind: AlertKind;
  station_id: string | null;
  audience: AlertAudience;
  message: string;
  data: Record<string, unknown>;
  since: Date;
  created_at: Date;
  condition_key: string | null;
  resolved_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}

export function toAlertView(r: AlertRow): OperationsAlert {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: String(r.id),
    kind: r.kind,
    stationId: r.station_id,
    audience: r.audience,
    message: r.message,
    since: new Date(r.since).toISOString(),
    at: new Date(r.created_at).toISOString(),
    data: r.data,
    resolvedAt: iso(r.resolved_at),
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
  };
}
