import { createHmac } from 'node:crypto';
import {
  AGE_BANDS,
  ageBand,
  ageBandSql,
  haversineMeters,
  RIDER_KEY_LENGTH,
  riderKey,
  riderKeySql,
} from './trip-fields';

describe('rider pseudonym', () => {
  const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

  it('is the first 16 hex characters of HMAC-SHA256(secret, rider id)', () => {
    const full = createHmac('sha256', 'a-city-secret-0123').update(id).digest('hex');
    expect(riderKey('a-city-secret-0123', id)).toBe(full.slice(0, 16));
    expect(riderKey('a-city-secret-0123', id)).toMatch(/^[0-9a-f]{16}$/);
    expect(RIDER_KEY_LENGTH).toBe(16);
  });

  it('is stable for one key and changes with the key or the rider', () => {
    expect(riderKey('k1-0123456789abcdef', id)).toBe(riderKey('k1-0123456789abcdef', id));
    expect(riderKey('k2-0123456789abcdef', id)).not.toBe(riderKey('k1-0123456789abcdef', id));
    expect(riderKey('k1-0123456789abcdef', id.replace('3301', '3302'))).not.toBe(riderKey('k1-0123456789abcdef', id));
  });

  it('is computed in SQL with pgcrypto from a transaction setting, never with the secret in the text', () => {
    const sql = riderKeySql('l.rider_id');
    expect(sql).toBe(
      `substr(encode(hmac(l.rider_id::text, current_setting('metrobici.rider_key'), 'sha256'), 'hex'), 1, 16)`,
    );
  });
});

describe('age bands', () => {
  it.each([
    [16, '16-17'],
    [17, '16-17'],
    [18, '18-24'],
    [24, '18-24'],
    [25, '25-34'],
    [44, '35-44'],
    [64, '55-64'],
    [65, '65+'],
    [99, '65+'],
    [15, 'unknown'],
    [null, 'unknown'],
  ])('age %p is band %p', (age, band) => {
    expect(ageBand(age)).toBe(band);
  });

  it('has the same boundaries in SQL', () => {
    const sql = ageBandSql('a');
    for (const b of AGE_BANDS)
      expect(sql).toContain(
        b.max === null
          ? `WHEN a >= ${b.min} THEN '${b.band}'`
          : `WHEN a BETWEEN ${b.min} AND ${b.max} THEN '${b.band}'`,
      );
    expect(sql).toMatch(/ELSE 'unknown' END$/);
  });
});

describe('haversineMeters', () => {
  it('is 0 for the same point and about 111 km per degree of latitude', () => {
    expect(haversineMeters({ lat: 7.1, lon: -73.1 }, { lat: 7.1, lon: -73.1 })).toBe(0);
    expect(haversineMeters({ lat: 7, lon: -73.1 }, { lat: 8, lon: -73.1 })).toBeCloseTo(111_195, -1);
  });

  it('gives the straight line between two demo stations (San Pío – UIS, about 2.7 km)', () => {
    const d = haversineMeters({ lat: 7.118, lon: -73.11 }, { lat: 7.1395, lon: -73.1205 });
    expect(d).toBeGreaterThan(2600);
    expect(d).toBeLessThan(2750);
  });
});
