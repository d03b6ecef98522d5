/**
 * Colombian public holidays (festivos) for a year: fixed dates, dates moved to the following
 * Monday by Ley 51 de 1983 (Ley Emiliani), and Easter-based dates. Returned as local `YYYY-MM-DD`.
 */
export function colombianHolidays(year: number): Set<string> {
  const days: Date[] = [];
  const fixed = (m: number, d: number) => days.push(utc(year, m, d));
  const moved = (m: number, d: number) => days.push(nextMonday(utc(year, m, d)));

  fixed(1, 1); // Año Nuevo
  moved(1, 6); // Reyes Magos
  moved(3, 19); // San José
  fixed(5, 1); // Día del Trabajo
  moved(6, 29); // San Pedro y San Pablo
  fixed(7, 20); // Independencia
  fixed(8, 7); // Batalla de Boyacá
  moved(8, 15); // Asunción
  moved(10, 12); // Día de la Raza
  moved(11, 1); // Todos los Santos
  moved(11, 11); // Independencia de Cartagena
  fixed(12, 8); // Inmaculada Concepción
  fixed(12, 25); // Navidad

  const easter = easterSunday(year);
  days.push(addDays(easter, -3)); // Jueves Santo
  days.push(addDays(easter, -2)); // Viernes Santo
  days.push(addDays(easter, 43)); // Ascensión (moved to Monday)
  days.push(addDays(easter, 64)); // Corpus Christi (moved to Monday)
  days.push(addDays(easter, 71)); // Sagrado Corazón (moved to Monday)

  return new Set(days.map((d) => d.toISOString().slice(0, 10)));
}

const cache = new Map<number, Set<string>>();
export function isColombianHoliday(localDate: string): boolean {
  const year = Number(localDate.slice(0, 4));
  let set = cache.get(year);
  if (!set) {
    set = colombianHolidays(year);
    cache.set(year, set);
  }
  return set.has(localDate);
}

function utc(y: number, m: number, d: number): Date {
  return new Date(Date.UTC(y, m - 1, d));
}

function addDays(date: Date, n: number): Date {
  return new Date(date.getTime() + n * 86_400_000);
}

function nextMonday(date: Date): Date {
  const shift = (8 - date.getUTCDay()) % 7; // 0 when already Monday
  return addDays(date, shift);
}

/** Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return utc(year, month, day);
}
