import type { DataSource } from 'typeorm';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Expected {
  bikes: number;
  /** 2xx check-outs and returns the operators saw over the whole run. */
  checkOuts: number;
  returns: number;
  /** Loans still open because an operator aborted (0 in a clean run). */
  openLoans: number;
}

const n = (v: unknown) => Number(v);

/** What must hold in the database after the run, whatever the timing was. */
export async function consistencyChecks(ds: DataSource, expected: Expected): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  const stations: Array<{
    code: string;
    capacity: number;
    bikes_docked: number;
    bikes_available: number;
    docked: string;
    available: string;
    sequence: string;
  }> = await ds.query(
    `SELECT s.code, s.capacity, s.bikes_docked, s.bikes_available, s.sequence,
            count(b.id) AS docked, count(b.id) FILTER (WHERE b.state = 'available') AS available
       FROM stations s LEFT JOIN bikes b ON b.station_id = s.id
      GROUP BY s.id ORDER BY s.code`,
  );
  const wrong = stations.filter((s) => n(s.bikes_docked) !== n(s.docked) || n(s.bikes_available) !== n(s.available));
  check(
    'station counters equal the bikes in each rack',
    wrong.length === 0,
    wrong.length === 0
      ? `${stations.length} stations, ${stations.reduce((a, s) => a + n(s.docked), 0)} bikes docked`
      : wrong
          .map((s) => `${s.code}: counters ${s.bikes_docked}/${s.bikes_available}, actual ${s.docked}/${s.available}`)
          .join('; '),
  );
  const overfull = stations.filter((s) => n(s.docked) > n(s.capacity));
  check(
    'no station over capacity',
    overfull.length === 0,
    overfull.map((s) => `${s.code}: ${s.docked} > ${s.capacity}`).join('; ') || 'ok',
  );

  const [twice] = await ds.query<Array<{ bikes: string; riders: string }>>(
    `SELECT (SELECT count(*) FROM (SELECT bike_id FROM loans WHERE state = 'open' GROUP BY bike_id HAVING count(*) > 1) x) AS bikes,
            (SELECT count(*) FROM (SELECT rider_id FROM loans WHERE state = 'open' GROUP BY rider_id HAVING count(*) > 1) y) AS riders`,
  );
  check(
    'no bike and no rider with two open loans',
    n(twice.bikes) === 0 && n(twice.riders) === 0,
    `bikes: ${twice.bikes}, riders: ${twice.riders}`,
  );

  const [state] = await ds.query<Array<Record<string, string>>>(
    `SELECT (SELECT count(*) FROM bikes) AS bikes,
            (SELECT count(*) FROM bikes WHERE state = 'on_loan') AS on_loan,
            (SELECT count(*) FROM loans WHERE state = 'open') AS open_loans,
            (SELECT count(*) FROM bikes b WHERE (b.state = 'on_loan') <> EXISTS (SELECT 1 FROM loans l WHERE l.bike_id = b.id AND l.state = 'open')) AS mismatched,
            (SELECT count(*) FROM loans) AS loans,
            (SELECT count(*) FROM loans WHERE state = 'closed' AND end_reason = 'returned') AS returned,
            (SELECT coalesce(sum(sequence), 0) FROM stations) AS sequence_sum,
            (SELECT count(*) FROM bike_events WHERE type = 'checked_out') AS ev_out,
            (SELECT count(*) FROM bike_events WHERE type = 'returned') AS ev_back,
            (SELECT count(*) FROM outbox_events WHERE type = 'loan.opened') AS ob_opened,
            (SELECT count(*) FROM outbox_events WHERE type = 'loan.closed') AS ob_closed,
            (SELECT count(*) FROM outbox_events WHERE type = 'station.availability_changed') AS ob_station`,
  );
  const docked = stations.reduce((a, s) => a + n(s.docked), 0);
  check(
    'every bike is in a rack or on exactly one open loan',
    n(state.mismatched) === 0 && n(state.bikes) === expected.bikes && docked + n(state.on_loan) === expected.bikes,
    `bikes ${state.bikes} = docked ${docked} + on loan ${state.on_loan}; on_loan without open loan or vice versa: ${state.mismatched}`,
  );
  check(
    'open loans as expected',
    n(state.open_loans) === expected.openLoans,
    `${state.open_loans} open, expected ${expected.openLoans}`,
  );
  check(
    'one loan row per accepted check-out, one closed loan per accepted return',
    n(state.loans) === expected.checkOuts && n(state.returned) === expected.returns,
    `loans ${state.loans} vs check-outs ${expected.checkOuts}; returned ${state.returned} vs returns ${expected.returns}`,
  );
  const moves = expected.checkOuts + expected.returns;
  check(
    'every move bumped one station sequence, logged one bike event and wrote its outbox rows',
    n(state.sequence_sum) === moves &&
      n(state.ev_out) === expected.checkOuts &&
      n(state.ev_back) === expected.returns &&
      n(state.ob_opened) === expected.checkOuts &&
      n(state.ob_closed) === expected.returns &&
      n(state.ob_station) === moves,
    `sequence sum ${state.sequence_sum}, bike events ${state.ev_out}/${state.ev_back}, outbox opened/closed/station ${state.ob_opened}/${state.ob_closed}/${state.ob_station}, expected moves ${moves}`,
  );
  return checks;
}

/**
 * The kinds of rows a run wrote, one line per kind (counts aside): outbox events with their payload
 * keys and JSON types, bike log rows, bikes, idempotency records with their stored answer's keys,
 * loans by state, receipts — each with which of its columns are NULL (so a column one side fills and the
 * other leaves empty shows, whatever columns the tables have). The raw-SQL baseline must write the
 * same kinds as the API, or it would not be a baseline of the same work.
 */
export async function writeSignatures(ds: DataSource): Promise<string[]> {
  const keys = (col: string) =>
    `coalesce((SELECT string_agg(k || ':' || jsonb_typeof(${col} -> k), ',' ORDER BY k) FROM jsonb_object_keys(${col}) k), '-')`;
  const nulls = (row: string) =>
    `' null:[' || coalesce((SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_each(to_jsonb(${row})) e(k, v) WHERE v = 'null'::jsonb), '') || ']'`;
  const rows: Array<{ sig: string }> = await ds.query(
    `SELECT DISTINCT sig FROM (
       SELECT 'outbox_events ' || type || ' {' || ${keys('o.payload')} || '}' || ${nulls('o')} AS sig FROM outbox_events o
       UNION ALL
       SELECT 'bike_events ' || type || ' ' || coalesce(from_state, '-') || '→' || to_state || ${nulls('e')} FROM bike_events e
       UNION ALL
       SELECT 'bikes ' || state || ${nulls('b')} FROM bikes b
       UNION ALL
       SELECT 'idempotency_records ' || scope || ' ' || coalesce(response_status::text, '-')
              || ' {' || coalesce(${keys('i.response_body')}, '-') || '}' || ${nulls('i')}
         FROM idempotency_records i
       UNION ALL
       SELECT 'loans ' || state || ' ' || coalesce(end_reason, '-') || ' helmet:' || helmet || ' overdue:' || overdue || ${nulls('l')}
         FROM loans l
       UNION ALL
       SELECT 'loan_receipts' || ${nulls('r')} FROM loan_receipts r
     ) x ORDER BY sig`,
  );
  return rows.map((r) => r.sig);
}
