import { colombianHolidays, isColombianHoliday } from './colombian-holidays';

// Official calendars (Ley 51 de 1983 "Ley Emiliani" moves most festivos to the following Monday).
// 2019: Easter Sunday 21 April. San Pedro y San Pablo (29 June, a Saturday) moves to 1 July, the
// same Monday as Sagrado Corazón, so the year has 18 festivos on 17 distinct dates.
const OFFICIAL_2019 = [
  '2019-01-01', // Año Nuevo
  '2019-01-07', // Reyes Magos (6 Jan, Sunday → Monday)
  '2019-03-25', // San José (19 Mar, Tuesday → Monday)
  '2019-04-18', // Jueves Santo
  '2019-04-19', // Viernes Santo
  '2019-05-01', // Día del Trabajo
  '2019-06-03', // Ascensión del Señor
  '2019-06-24', // Corpus Christi
  '2019-07-01', // Sagrado Corazón and San Pedro y San Pablo
  '2019-07-20', // Independencia (a Saturday; fixed dates do not move)
  '2019-08-07', // Batalla de Boyacá
  '2019-08-19', // Asunción de la Virgen (15 Aug, Thursday → Monday)
  '2019-10-14', // Día de la Raza (12 Oct, Saturday → Monday)
  '2019-11-04', // Todos los Santos (1 Nov, Friday → Monday)
  '2019-11-11', // Independencia de Cartagena (already a Monday)
  '2019-12-08', // Inmaculada Concepción (a Sunday; does not move)
  '2019-12-25', // Navidad
];

// 2026: Easter Sunday 5 April; 18 festivos on 18 dates.
const OFFICIAL_2026 = [
  '2026-01-01', // Año Nuevo
  '2026-01-12', // Reyes Magos (6 Jan, Tuesday → Monday)
  '2026-03-23', // San José (19 Mar, Thursday → Monday)
  '2026-04-02', // Jueves Santo
  '2026-04-03', // Viernes Santo
  '2026-05-01', // Día del Trabajo
  '2026-05-18', // Ascensión del Señor
  '2026-06-08', // Corpus Christi
  '2026-06-15', // Sagrado Corazón
  '2026-06-29', // San Pedro y San Pablo (already a Monday)
  '2026-07-20', // Independencia
  '2026-08-07', // Batalla de Boyacá
  '2026-08-17', // Asunción de la Virgen (15 Aug, Saturday → Monday)
  '2026-10-12', // Día de la Raza (already a Monday)
  '2026-11-02', // Todos los Santos (1 Nov, Sunday → Monday)
  '2026-11-16', // Independencia de Cartagena (11 Nov, Wednesday → Monday)
  '2026-12-08', // Inmaculada Concepción
  '2026-12-25', // Navidad
];

describe('colombianHolidays', () => {
  it('matches the official 2019 calendar', () => {
    expect([...colombianHolidays(2019)].sort()).toEqual(OFFICIAL_2019);
  });

  it('matches the official 2026 calendar', () => {
    expect([...colombianHolidays(2026)].sort()).toEqual(OFFICIAL_2026);
  });

  it.each([
    [2019, ['2019-04-18', '2019-04-19']],
    [2026, ['2026-04-02', '2026-04-03']],
  ])('puts every festivo of %i on a Monday except fixed dates and Holy Thursday/Friday', (year, holyWeek) => {
    const fixed = new Set(['01-01', '05-01', '07-20', '08-07', '12-08', '12-25']);
    const others = [...colombianHolidays(year)].filter((d) => !fixed.has(d.slice(5)) && !holyWeek.includes(d));
    expect(others).toHaveLength(year === 2019 ? 9 : 10);
    expect(others.map(weekday)).toEqual(others.map(() => 'Mon'));
  });
});

describe('isColombianHoliday', () => {
  it.each([...OFFICIAL_2019, ...OFFICIAL_2026])('%s is a holiday', (day) => {
    expect(isColombianHoliday(day)).toBe(true);
  });

  it.each([
    ['2019-01-06', 'Reyes on its original Sunday'],
    ['2019-03-19', 'San José on its original Tuesday'],
    ['2019-04-21', 'Easter Sunday itself'],
    ['2019-06-29', 'San Pedro on its original Saturday'],
    ['2019-08-15', 'Asunción on its original Thursday'],
    ['2019-10-12', 'Día de la Raza on its original Saturday'],
    ['2019-11-01', 'Todos los Santos on its original Friday'],
    ['2019-10-03', 'an ordinary Thursday'],
    ['2019-12-24', 'Christmas Eve'],
    ['2019-12-31', 'New Year’s Eve'],
    ['2026-01-06', 'Reyes on its original Tuesday'],
    ['2026-04-05', 'Easter Sunday 2026'],
    ['2026-11-11', 'Cartagena on its original Wednesday'],
  ])('%s is not a holiday (%s)', (day) => {
    expect(isColombianHoliday(day)).toBe(false);
  });

  it('answers for any year, not only the first one asked about', () => {
    expect(isColombianHoliday('2019-07-01')).toBe(true);
    expect(isColombianHoliday('2020-07-01')).toBe(false);
    expect(isColombianHoliday('2020-04-10')).toBe(true); // Viernes Santo 2020 (Easter 12 April)
    expect(isColombianHoliday('2019-04-10')).toBe(false);
  });
});

function weekday(localDate: string): string {
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(`${localDate}T00:00:00Z`).getUTCDay()];
}
