/**
 * DEMO DATA — NOT THE REAL PILOT LIST.
 *
 * What `npm run db:seed` loads so a development or demo install has something to show. Only the
 * donors and their counts for Fundación Bavaria (100) and the Ministerio de Transporte (120) come
 * from the city's brief, and only Parque San Pío is a station the press confirmed. The other
 * stations are real places of Bucaramanga chosen for the demo; every coordinate is APPROXIMATE
 * (inside lat 7.05..7.16, lon -73.14..-73.08). Capacities, helmet counts, bike placement, staff
 * and riders are invented. The real station list is loaded with `npm run db:import`.
 */
import { bogotaParts, type StaffRole } from '@metrobici/common';
import type { DocumentType, Gender, RiderStatus } from '@metrobici/riders';
import type { StationKind } from '@metrobici/stations';

export interface DemoStation {
  code: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  kind: StationKind;
  nearMetrolinea: boolean;
  /** UNAB's donated helmets placed here when the seed creates the station. */
  helmets: number;
  /** Bikes the seed places here when it creates them; the rest of the fleet waits in the depot. */
  bikes: number;
}

/** The 12 public stations (DEMO, coordinates approximate). About 60 % full, so returns fit. */
export const DEMO_STATIONS: readonly DemoStation[] = [
  {
    code: 'SANPIO',
    name: 'Parque San Pío',
    address: 'Calle 45 con Carrera 35, San Pío',
    lat: 7.118,
    lon: -73.11,
    capacity: 30,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 12,
    bikes: 18,
  },
  {
    code: 'UIS',
    name: 'UIS (campus principal)',
    address: 'Carrera 27 con Calle 9, Ciudad Universitaria',
    lat: 7.1395,
    lon: -73.1205,
    capacity: 30,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 12,
    bikes: 18,
  },
  {
    code: 'ESTUIS',
    name: 'Parque Estación UIS',
    address: 'Carrera 27, sector UIS',
    lat: 7.137,
    lon: -73.1185,
    capacity: 20,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 6,
    bikes: 12,
  },
  {
    code: 'UNAB',
    name: 'UNAB',
    address: 'Avenida 42 con Calle 48, El Jardín',
    lat: 7.117,
    lon: -73.105,
    capacity: 25,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 12,
    bikes: 15,
  },
  {
    code: 'UTS',
    name: 'UTS',
    address: 'Calle de los Estudiantes, Ciudadela Real de Minas',
    lat: 7.1065,
    lon: -73.124,
    capacity: 20,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 6,
    bikes: 12,
  },
  {
    code: 'NINOS',
    name: 'Parque de los Niños (oficina de la bicicleta)',
    address: 'Carrera 27 con Calle 30',
    lat: 7.1235,
    lon: -73.119,
    capacity: 30,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 10,
    bikes: 18,
  },
  {
    code: 'SANTANDER',
    name: 'Parque Santander',
    address: 'Calle 36 con Carrera 20, Centro',
    lat: 7.1195,
    lon: -73.127,
    capacity: 25,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 8,
    bikes: 15,
  },
  {
    code: 'GROVIRA',
    name: 'Parque García Rovira',
    address: 'Calle 36 con Carrera 11, Centro',
    lat: 7.119,
    lon: -73.1335,
    capacity: 20,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 6,
    bikes: 12,
  },
  {
    code: 'CIVICA',
    name: 'Plaza Cívica Luis Carlos Galán',
    address: 'Carrera 10 con Calle 35, Centro',
    lat: 7.1205,
    lon: -73.132,
    capacity: 25,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 8,
    bikes: 15,
  },
  {
    code: 'PROVENZA',
    name: 'Metrolínea Provenza',
    address: 'Estación Provenza de Metrolínea, Provenza',
    lat: 7.077,
    lon: -73.111,
    capacity: 25,
    kind: 'station',
    nearMetrolinea: true,
    helmets: 8,
    bikes: 15,
  },
  {
    code: 'REALMINAS',
    name: 'Real de Minas (AMB)',
    address: 'Avenida Los Samanes, Ciudadela Real de Minas',
    lat: 7.103,
    lon: -73.125,
    capacity: 20,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 6,
    bikes: 12,
  },
  {
    code: 'CABECERA',
    name: 'Cabecera',
    address: 'Carrera 35 con Calle 52, Cabecera del Llano',
    lat: 7.1125,
    lon: -73.108,
    capacity: 25,
    kind: 'station',
    nearMetrolinea: false,
    helmets: 6,
    bikes: 15,
  },
];

/** The depot: overnight storage and workshop, never shown to citizens or in GBFS. */
export const DEMO_DEPOT: DemoStation = {
  code: 'BODEGA',
  name: 'Bodega central (no pública)',
  address: 'Dirección reservada',
  lat: 7.1255,
  lon: -73.117,
  capacity: 400,
  kind: 'depot',
  nearMetrolinea: false,
  helmets: 0,
  bikes: 0,
};

/** Helmets donated by UNAB, spread over the stations above (their `helmets` add up to this). */
export const DEMO_UNAB_HELMETS = 100;

export interface DemoDonor {
  code: string;
  name: string;
  /** Bike codes are `<prefix>-001` … */
  prefix: string;
  bikes: number;
  /** True where the brief gives no number and the demo picked one. */
  countIsDemoChoice: boolean;
}

export const DEMO_DONORS: readonly DemoDonor[] = [
  { code: 'bavaria', name: 'Fundación Bavaria', prefix: 'BAV', bikes: 100, countIsDemoChoice: false },
  { code: 'mintransporte', name: 'Ministerio de Transporte', prefix: 'MT', bikes: 120, countIsDemoChoice: false },
  // The brief says UIS made "a further donation" without a count: 30 is a DEMO choice, not a fact.
  { code: 'uis', name: 'Universidad Industrial de Santander', prefix: 'UIS', bikes: 30, countIsDemoChoice: true },
];

export interface PlannedBike {
  code: string;
  donorCode: string;
  /** Where the seed puts the bike when it creates it (a station, or the depot). */
  stationCode: string;
}

/**
 * Every demo bike and where it starts. Donors are interleaved in proportion to their fleet so each
 * station shows a mix (donors get usage reports per bike); stations are filled to their `bikes`
 * in list order and the rest go to the depot. Deterministic: the same plan on every run.
 */
export function demoFleetPlan(
  donors: readonly DemoDonor[] = DEMO_DONORS,
  stations: readonly DemoStation[] = DEMO_STATIONS,
  depot: DemoStation = DEMO_DEPOT,
): PlannedBike[] {
  const bikes = donors.flatMap((d) =>
    Array.from({ length: d.bikes }, (_, i) => ({
      code: `${d.prefix}-${String(i + 1).padStart(3, '0')}`,
      donorCode: d.code,
      // Position of this bike along its donor's share of the line, to interleave donors evenly.
      key: (i + 0.5) / d.bikes,
    })),
  );
  bikes.sort((a, b) => a.key - b.key || a.code.localeCompare(b.code));
  const slots = stations.flatMap((s) => Array.from({ length: Math.min(s.bikes, s.capacity) }, () => s.code));
  return bikes.map((b, i) => ({ code: b.code, donorCode: b.donorCode, stationCode: slots[i] ?? depot.code }));
}

export interface DemoStaff {
  email: string;
  role: StaffRole;
  fullName: string;
  /** Station code of an operator's home station. */
  homeStationCode: string | null;
  allStations: boolean;
}

export const DEMO_STAFF: readonly DemoStaff[] = [
  {
    email: 'admin@metrobici.local',
    role: 'admin',
    fullName: 'Administración Metrobici (demo)',
    homeStationCode: null,
    allStations: false,
  },
  {
    email: 'planner@metrobici.local',
    role: 'planner',
    fullName: 'Planeación y analítica (demo)',
    homeStationCode: null,
    allStations: false,
  },
  {
    // The supervising agencies read the pilot through MDS only (read-only role).
    email: 'agencia@metrobici.local',
    role: 'agency',
    fullName: 'Área Metropolitana de Bucaramanga (demo, MDS)',
    homeStationCode: null,
    allStations: false,
  },
  {
    email: 'operator@metrobici.local',
    role: 'operator',
    fullName: 'Promotor itinerante (demo)',
    homeStationCode: null,
    allStations: true,
  },
  ...DEMO_STATIONS.map((s) => ({
    email: `operador.${s.code.toLowerCase()}@metrobici.local`,
    role: 'operator' as const,
    fullName: `Promotor ${s.name} (demo)`,
    homeStationCode: s.code,
    allStations: false,
  })),
];

/** The development password of the demo staff accounts when `SEED_STAFF_PASSWORD` is not set. */
export const DEMO_STAFF_PASSWORD = 'metrobici-demo';

/** What riders authorise (Ley 1581), recorded with the terms version in force. */

export interface DemoRider {
  documentType: DocumentType;
  /** Already normalised: upper case, no spaces, dots or dashes. */
  documentNumber: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  gender: Gender;
  phone: string;
  email: string | null;
  guardian: { name: string; documentType: DocumentType; documentNumber: string } | null;
  status: RiderStatus;
  /** Station where an operator checked the document (verified riders only). */
  verifiedAtStationCode: string | null;
}

/**
 * Invented people (DEMO): names, documents and phones belong to no one. Varied on purpose —
 * document types (CC, CE, PA, and PEP/PPT as many of the city's Venezuelan residents hold), genders
 * including "prefer not to say", ages, one rider awaiting verification and one minor with a
 * guardian. The minor's birth date is computed from `today` so they are 16 on the day of seeding.
 */
export function demoRiders(today: Date): DemoRider[] {
  return [
    {
      documentType: 'CC',
      documentNumber: '1098765432',
      firstName: 'María Fernanda',
      lastName: 'Rueda Gómez',
      birthDate: '1994-03-12',
      gender: 'female',
      phone: '3001234501',
      email: 'maria.rueda@example.com',
      guardian: null,
      status: 'active',
      verifiedAtStationCode: 'SANPIO',
    },
    {
      documentType: 'CC',
      documentNumber: '91234567',
      firstName: 'Jorge Enrique',
      lastName: 'Díaz Pinto',
      birthDate: '1968-11-02',
      gender: 'male',
      phone: '3151234502',
      email: null,
      guardian: null,
      status: 'active',
      verifiedAtStationCode: 'SANTANDER',
    },
    {
      documentType: 'CE',
      documentNumber: '456789',
      firstName: 'Carlos Andrés',
      lastName: 'Méndez Rojas',
      birthDate: '1985-07-21',
      gender: 'male',
      phone: '3171234503',
      email: 'carlos.mendez@example.com',
      guardian: null,
      status: 'active',
      verifiedAtStationCode: 'UIS',
    },
    {
      documentType: 'PEP',
      documentNumber: '960123456789012',
      firstName: 'Yorbelis',
      lastName: 'Contreras Silva',
      birthDate: '1991-01-30',
      gender: 'female',
      phone: '3201234504',
      email: null,
      guardian: null,
      status: 'active',
      verifiedAtStationCode: 'PROVENZA',
    },
    {
      documentType: 'PPT',
      documentNumber: '5123456',
      firstName: 'Andrés Eduardo',
      lastName: 'Salazar Parra',
      birthDate: '1999-09-09',
      gender: 'undisclosed',
      phone: '3181234505',
      email: null,
      guardian: null,
      status: 'active',
      verifiedAtStationCode: 'NINOS',
    },
    {
      documentType: 'TI',
      documentNumber: '1005123456',
      firstName: 'Valentina',
      lastName: 'Ortiz Castro',
      birthDate: minorBirthDate(today),
      gender: 'female',
      phone: '3161234506',
      email: null,
      guardian: { name: 'Claudia Patricia Castro Rincón', documentType: 'CC', documentNumber: '63512345' },
      status: 'active',
      verifiedAtStationCode: 'UNAB',
    },
    {
      documentType: 'PA',
      documentNumber: 'C7K2M9X41',
      firstName: 'Alex',
      lastName: 'Morgan',
      birthDate: '1988-05-04',
      gender: 'other',
      phone: '3021234507',
      email: 'alex.morgan@example.com',
      guardian: null,
      status: 'active',
      verifiedAtStationCode: 'CABECERA',
    },
    {
      documentType: 'CC',
      documentNumber: '1095812345',
      firstName: 'Laura Camila',
      lastName: 'Pérez Villamizar',
      birthDate: '2001-02-14',
      gender: 'female',
      phone: '3001234508',
      email: 'laura.perez@example.com',
      guardian: null,
      status: 'pending',
      verifiedAtStationCode: null,
    },
  ];
}

/** About 16½ years before `today` (Bogotá calendar), on the 15th so the date always exists. */
function minorBirthDate(today: Date): string {
  const p = bogotaParts(today);
  const d = new Date(Date.UTC(p.year - 16, p.month - 1 - 6, 15));
  return d.toISOString().slice(0, 10);
}
