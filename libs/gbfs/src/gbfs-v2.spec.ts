import { OpeningHours } from '@metrobici/common';
import { posixSeconds, rentalHours } from './gbfs-v2';

describe('GBFS v2.3 translation', () => {
  it('turns the OSM opening hours into system_hours, grouping days with the same spans', () => {
    expect(rentalHours(OpeningHours.parse('Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off'))).toEqual([
      {
        user_types: ['member'],
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        start_time: '06:00:00',
        end_time: '19:00:00',
      },
      { user_types: ['member'], days: ['sat'], start_time: '06:00:00', end_time: '13:00:00' },
    ]);
    expect(rentalHours(OpeningHours.parse('24/7'))).toEqual([
      {
        user_types: ['member'],
        days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
        start_time: '00:00:00',
        end_time: '23:59:59',
      },
    ]);
    expect(rentalHours(OpeningHours.parse('Mo 06:00-09:00,16:00-19:00'))).toEqual([
      { user_types: ['member'], days: ['mon'], start_time: '06:00:00', end_time: '09:00:00' },
      { user_types: ['member'], days: ['mon'], start_time: '16:00:00', end_time: '19:00:00' },
    ]);
  });

  it('reads RFC 3339 with the Bogotá offset as POSIX seconds', () => {
    expect(posixSeconds('2019-10-09T10:00:00-05:00')).toBe(1570633200);
  });
});
