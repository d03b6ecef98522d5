import { createHash } from 'node:crypto';
import { TRIP_COLUMNS, DAILY_COLUMNS, HOURLY_COLUMNS, OD_COLUMNS } from '../export-queries';
import { dataDictionary } from './data-dictionary';
import { buildManifest, countLines, packageFileName, PACKAGE_FILES, sha256 } from './manifest';

const file = (name: string, rows = 1) => ({ name, rows, sha256: sha256(name), bytes: name.length });

describe('buildManifest', () => {
  it('lists every package file in package order with rows and checksums', () => {
    const shuffled = [...PACKAGE_FILES].reverse().map((n, i) => file(n, i));
    const manifest = buildManifest(
      {
        generatedAt: '2019-12-31T23:00:00.000Z',
        from: '2019-10-03',
        to: '2019-12-31',
        kind: 'pilot_final',
        suppressionK: 10,
      },
      shuffled,
    );
    expect(manifest.files.map((f) => f.name)).toEqual([...PACKAGE_FILES]);
    expect(manifest).toMatchObject({
      generatedAt: '2019-12-31T23:00:00.000Z',
      from: '2019-10-03',
      to: '2019-12-31',
      timeZone: 'America/Bogota',
      suppressionK: 10,
    });
    expect(manifest.files[0]).toEqual({
      name: 'stations.geojson',
      rows: PACKAGE_FILES.length - 1,
      sha256: sha256('stations.geojson'),
      bytes: 16,
    });
  });

  it('refuses a missing or an unknown file', () => {
    const base = { generatedAt: 'x', from: 'a', to: 'b', kind: 'nightly', suppressionK: 10 };
    expect(() =>
      buildManifest(
        base,
        PACKAGE_FILES.slice(1).map((n) => file(n)),
      ),
    ).toThrow('package file stations.geojson is missing');
    expect(() => buildManifest(base, [...PACKAGE_FILES.map((n) => file(n)), file('riders.csv')])).toThrow(
      'unknown package file(s): riders.csv',
    );
  });
});

describe('manifest helpers', () => {
  it('hashes with SHA-256 in hex', () => {
    expect(sha256('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('counts lines with or without a final line feed', () => {
    expect(countLines('')).toBe(0);
    expect(countLines('a')).toBe(1);
    expect(countLines('a\n')).toBe(1);
    expect(countLines('a\nb')).toBe(2);
    expect(countLines('a\nb\n')).toBe(2);
  });

  it('names the zip after its kind and range', () => {
    expect(packageFileName('pilot_final', '2019-10-03', '2019-12-31')).toBe(
      'metrobici-pilot-final-2019-10-03_2019-12-31.zip',
    );
  });
});

describe('dataDictionary', () => {
  const md = dataDictionary({
    from: '2019-10-03',
    to: '2019-10-31',
    generatedAt: '2019-11-01T07:30:00.000Z',
    co2GramsPerKm: 120,
    kind: 'on_request',
  });

  it('documents every column of every CSV', () => {
    for (const column of [...TRIP_COLUMNS, ...DAILY_COLUMNS, ...HOURLY_COLUMNS, ...OD_COLUMNS])
      expect(md).toContain(`| \`${column}\` |`);
  });

  it('states the time zone, the suppression rule, and how distance and CO2 are estimated', () => {
    expect(md).toContain('America/Bogota');
    expect(md).toContain('k = 10');
    expect(md).toMatch(/straight line \(great circle, haversine/);
    expect(md).toContain('120 g CO2 per km');
    expect(md).toMatch(/no names, identity documents, phone numbers, e-mail addresses or birth dates/);
  });
});
