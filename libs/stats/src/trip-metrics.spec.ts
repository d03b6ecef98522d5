import { ageOn } from '@metrobici/common';
import { AGE_BAND_NAMES, ageBand, ageBandSql, co2Grams, haversineMeters, ratio } from './trip-metrics';

describe('ageBand', () => {
  it.each([
    [16, '16-17'],
    [17, '16-17'],
    [18, '18-24'],
    [24, '18-24'],
    [25, '25-34'],
    [34, '25-34'],
    [35, '35-44'],
    [44, '35-44'],
    [45, '45-54'],
    [54, '45-54'],
    [55, '55-64'],
    [64, '55-64'],
    [65, '65+'],
    [101, '65+'],
  ])('age %i is in band %s', (age, band) => {
    expect(ageBand(age)).toBe(band);
  });

  it('is unknown below the riding age or without an age', () => {
    expect(ageBand(15)).toBe('unknown');
    expect(ageBand(-1)).toBe('unknown');
    expect(ageBand(null)).toBe('unknown');
    expect(ageBand(undefined)).toBe('unknown');
    expect(ageBand(Number.NaN)).toBe('unknown');
  });

  it('uses the age on the local day of the trip (a birthday that day counts)', () => {
    // 05:30 UTC on 17 May is still 16 May in Bogotá.
    expect(ageBand(ageOn('2001-05-17', new Date('2019-05-17T04:59:00Z')))).toBe('16-17');
    expect(ageBand(ageOn('2001-05-17', new Date('2019-05-17T05:00:00Z')))).toBe('18-24');
  });

  it('lists every band once, unknown last, and the SQL names the same bands', () => {
    expect(AGE_BAND_NAMES).toEqual(['16-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+', 'unknown']);
    const sql = ageBandSql('a');
    for (const band of AGE_BAND_NAMES) expect(sql).toContain(`'${band}'`);
    expect(sql).toContain('WHEN a BETWEEN 16 AND 17');
    expect(sql).toContain('WHEN a >= 65');
  });
});

describe('haversineMeters', () => {
  it('is zero for the same point and symmetric', () => {
    const a = { lat: 7.1193, lon: -73.1227 };
    const b = { lat: 7.1394, lon: -73.1204 };
    expect(haversineMeters(a, a)).toBe(0);
    expect(haversineMeters(a, b)).toBeCloseTo(haversineMeters(b, a), 9);
  });

  it('measures one degree of latitude as about 111.2 km', () => {
    expect(haversineMeters({ lat: 7, lon: -73 }, { lat: 8, lon: -73 })).toBeCloseTo(111_195, -1);
  });

  it('gives the straight line between two Bucaramanga places (Parque San Pío → UIS ≈ 3.2 km)', () => {
    const d = haversineMeters({ lat: 7.1139, lon: -73.1075 }, { lat: 7.1398, lon: -73.1209 });
    expect(d).toBeGreaterThan(3_000);
    expect(d).toBeLessThan(3_400);
  });
});

describe('co2Grams', () => {
  it('multiplies kilometres by the factor and rounds to whole grams', () => {
    expect(co2Grams(1000, 120)).toBe(120);
    expect(co2Grams(2_345, 120)).toBe(281); // 281.4
    expect(co2Grams(2_350, 110)).toBe(259); // 258.5 rounds up
    expect(co2Grams(0, 120)).toBe(0);
    expect(co2Grams(1234, 0)).toBe(0);
  });
});

describe('ratio', () => {
  it('rounds to 4 decimals and is null over nothing', () => {
    expect(ratio(1, 3)).toBe(0.3333);
    expect(ratio(2, 3)).toBe(0.6667);
    expect(ratio(0, 5)).toBe(0);
    expect(ratio(0, 0)).toBeNull();
  });
});
