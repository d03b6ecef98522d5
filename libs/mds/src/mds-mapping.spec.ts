import { DomainError } from '@metrobici/common';
import {
  derivedUuid,
  eventType,
  parseReportName,
  parseTimestamp,
  parseUtcHour,
  redact,
  vehicleState,
} from './mds-mapping';

describe('MDS mapping', () => {
  it('maps the bike lifecycle onto MDS vehicle states, depots off the street', () => {
    expect(vehicleState('available', 'station')).toBe('available');
    expect(vehicleState('available', 'depot')).toBe('removed');
    expect(vehicleState('maintenance', 'station')).toBe('non_operational');
    expect(vehicleState('maintenance', 'depot')).toBe('removed');
    expect(vehicleState('on_loan', null)).toBe('on_trip');
    expect(vehicleState('in_transit', null)).toBe('removed');
    expect(vehicleState('missing', null)).toBe('missing');
    expect(vehicleState('retired', null)).toBe('removed');
  });

  it('names the event only where the micromobility mode allows it for that state', () => {
    expect(eventType('checked_out', 'on_trip')).toBe('trip_start');
    expect(eventType('returned', 'available')).toBe('trip_end');
    expect(eventType('checkout_reverted', 'available')).toBe('trip_cancel');
    expect(eventType('damage_reported', 'non_operational')).toBe('maintenance');
    expect(eventType('damage_reported', 'removed')).toBe('maintenance_pick_up');
    expect(eventType('rebalance_picked_up', 'removed')).toBe('rebalance_pick_up');
    expect(eventType('rebalance_dropped', 'available')).toBe('provider_drop_off');
    expect(eventType('reported_missing', 'missing')).toBe('not_located');
    expect(eventType('found', 'non_operational')).toBe('located');
    expect(eventType('retired', 'removed')).toBe('decommissioned');
    // provider_drop_off is not an event of non_operational in MDS.
    expect(eventType('rebalance_dropped', 'non_operational')).toBe('unspecified');
  });

  it('derives stable, keyed UUIDs', () => {
    const a = derivedUuid('secret', 'trip', 'x');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedUuid('secret', 'trip', 'x')).toBe(a);
    expect(derivedUuid('other', 'trip', 'x')).not.toBe(a);
    expect(derivedUuid('secret', 'journey', 'x')).not.toBe(a);
  });

  it('reads UTC hours, timestamps and report names strictly', () => {
    expect(parseUtcHour('end_time', '2019-10-09T15').toISOString()).toBe('2019-10-09T15:00:00.000Z');
    for (const bad of ['2019-10-09', '2019-10-09T24', '2019-02-29T10', '2019-10-09T15:00', 5]) {
      expect(() => parseUtcHour('end_time', bad)).toThrow(DomainError);
    }
    expect(() => parseUtcHour('end_time', undefined)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ mds: 'missing_param' }) }),
    );
    expect(parseTimestamp('start_time', '1570633200000').getTime()).toBe(1570633200000);
    expect(() => parseTimestamp('start_time', '1.5')).toThrow(DomainError);
    expect(parseReportName('2019-10.csv')).toEqual({ year: 2019, month: 10 });
    expect(parseReportName('2019-13.csv')).toBeNull();
    expect(parseReportName('../2019-10.csv')).toBeNull();
  });

  it('suppresses report counts under k = 10, zero included', () => {
    expect([0, 1, 9, 10, 250].map(redact)).toEqual([-1, -1, -1, 10, 250]);
  });
});
