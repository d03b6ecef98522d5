import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BOGOTA_TIME_ZONE, bogotaDate, bogotaParts, Clock, toBogotaIso } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { type PilotStateEntity, ServiceHours, StationEntity } from '@metrobici/stations';
import {
  GBFS_FEEDS,
  GBFS_TTL,
  GBFS_VERSION,
  type GbfsDiscoveryData,
  type GbfsFeedData,
  type GbfsFeedName,
  type GbfsFile,
  type GbfsVersionsData,
  type LocalizedString,
  type StationInformationData,
  type StationStatusData,
  type SystemAlertsData,
  type SystemInformationData,
  type SystemPricingPlansData,
  type VehicleTypesData,
} from './gbfs.types';
import {
  GBFS_V2_FEEDS,
  GBFS_V2_TTL,
  GBFS_V2_VERSION,
  type GbfsV2FeedData,
  type GbfsV2FeedName,
  type GbfsV2File,
  posixSeconds,
  rentalHours,
  toV2Alerts,
  toV2PricingPlans,
  toV2StationInformation,
  toV2StationStatus,
  toV2SystemInformation,
  toV2VehicleTypes,
  v2Envelope,
} from './gbfs-v2';

const LANGUAGE = 'es';
const es = (text: string): LocalizedString[] => [{ text, language: LANGUAGE }];

/** Facts about the system that are not configuration (yet). */
const SYSTEM = {
  id: 'metrobici-bucaramanga',
  name: 'Metrobici',
  operator: 'Alcaldía de Bucaramanga',
  /** Opening day of the pilot (brief, press); used when PILOT_START is not set. */
  startDate: '2019-10-03',
  // Placeholder until the city names the mailbox for feed issues; a candidate for configuration.
  feedContactEmail: 'metrobici@bucaramanga.gov.co',
  // Open data with attribution to the city; without a license GBFS consumers assume CC0.
  licenseId: 'CC-BY-4.0',
} as const;

export const GBFS_VEHICLE_TYPE_ID = 'bicycle';
export const GBFS_FREE_PLAN_ID = 'free';

const MONTHS = [
  'enero',
  'febrero',
  'marzo',
  'abril',
  'mayo',
  'junio',
  'julio',
  'agosto',
  'septiembre',
  'octubre',
  'noviembre',
  'diciembre',
];

/**
 * Builds the GBFS v3.0 files from the stations table, the configuration and the clock. Nothing is
 * cached: station_status reflects the last committed counters on every request. Depots are never
 * published. Timestamps are clamped to the clock so no file claims data from the future.
 */
@Injectable()
export class GbfsService {
  /** When this process read its configuration: config-only files cannot have changed since. */
  private readonly startedAt: Date;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hours: ServiceHours,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  /**
   * One file by name. `requestBaseUrl` (e.g. `https://host`) is used for links only when
   * PUBLIC_BASE_URL is not configured.
   */
  async feed(name: GbfsFeedName, requestBaseUrl: string): Promise<GbfsFile<GbfsFeedData[GbfsFeedName]>> {
    switch (name) {
      case 'gbfs':
        return this.discovery(requestBaseUrl);
      case 'gbfs_versions':
        return this.versions(requestBaseUrl);
      case 'system_information':
        return this.systemInformation();
      case 'vehicle_types':
        return this.vehicleTypes();
      case 'station_information':
        return this.stationInformation();
      case 'station_status':
        return this.stationStatus();
      case 'system_pricing_plans':
        return this.pricingPlans();
      case 'system_alerts':
        return this.alerts();
    }
  }

  discovery(requestBaseUrl: string): GbfsFile<GbfsDiscoveryData> {
    const base = this.baseUrl(requestBaseUrl);
    const feeds = GBFS_FEEDS.filter((name) => name !== 'gbfs').map((name) => ({ name, url: feedUrl(base, name) }));
    return this.file('gbfs', this.startedAt, { feeds });
  }

  /** Both published versions, oldest first; the same list in 2.3 and 3.0. */
  versions(requestBaseUrl: string): GbfsFile<GbfsVersionsData> {
    const base = this.baseUrl(requestBaseUrl);
    return this.file('gbfs_versions', this.startedAt, {
      versions: [
        { version: GBFS_V2_VERSION, url: feedUrlV2(base, 'gbfs') },
        { version: GBFS_VERSION, url: feedUrl(base, 'gbfs') },
      ],
    });
  }

  /**
   * One GBFS v2.3 file, translated from the 3.0 file built from the same read (see gbfs-v2.ts), so
   * both versions agree station by station; system_hours comes from the configured opening hours.
   */
  async feedV2(name: GbfsV2FeedName, requestBaseUrl: string): Promise<GbfsV2File<GbfsV2FeedData[GbfsV2FeedName]>> {
    switch (name) {
      case 'gbfs': {
        const base = this.baseUrl(requestBaseUrl);
        const feeds = GBFS_V2_FEEDS.filter((n) => n !== 'gbfs').map((n) => ({ name: n, url: feedUrlV2(base, n) }));
        return v2Envelope(this.discovery(requestBaseUrl), { [LANGUAGE]: { feeds } });
      }
      case 'gbfs_versions': {
        const file = this.versions(requestBaseUrl);
        return v2Envelope(file, file.data);
      }
      case 'system_information':
        return toV2SystemInformation(await this.systemInformation());
      case 'vehicle_types':
        return toV2VehicleTypes(this.vehicleTypes(), LANGUAGE);
      case 'station_information':
        return toV2StationInformation(await this.stationInformation(), LANGUAGE);
      case 'station_status':
        return toV2StationStatus(await this.stationStatus());
      case 'system_pricing_plans':
        return toV2PricingPlans(this.pricingPlans(), LANGUAGE);
      case 'system_hours':
        // Configuration only: unchanged since this process started.
        return {
          last_updated: posixSeconds(this.timestamp(this.startedAt)),
          ttl: GBFS_V2_TTL.system_hours,
          version: GBFS_V2_VERSION,
          data: { rental_hours: rentalHours(this.config.pilot.openingHours) },
        };
      case 'system_alerts':
        return toV2Alerts(await this.alerts(), LANGUAGE);
    }
  }

  async systemInformation(): Promise<GbfsFile<SystemInformationData>> {
    const { start, openingHours } = this.config.pilot;
    const closing = await this.closing();
    const publicUrl = this.config.http.publicBaseUrl;
    return this.file('system_information', closing.changedAt, {
      system_id: SYSTEM.id,
      languages: [LANGUAGE],
      name: es(SYSTEM.name),
      short_name: es(SYSTEM.name),
      operator: es(SYSTEM.operator),
      opening_hours: openingHours.source,
      // Only a configured public address is the system's home page; a request's Host is not.
      ...(publicUrl ? { url: `${trimSlashes(publicUrl)}/` } : {}),
      start_date: start ? bogotaDate(start) : SYSTEM.startDate,
      ...(closing.terminationDate ? { termination_date: closing.terminationDate } : {}),
      feed_contact_email: SYSTEM.feedContactEmail,
      timezone: BOGOTA_TIME_ZONE,
      license_id: SYSTEM.licenseId,
      attribution_organization_name: es(SYSTEM.operator),
    });
  }

  vehicleTypes(): GbfsFile<VehicleTypesData> {
    return this.file('vehicle_types', this.startedAt, {
      vehicle_types: [
        {
          vehicle_type_id: GBFS_VEHICLE_TYPE_ID,
          form_factor: 'bicycle',
          propulsion_type: 'human',
          name: es('Bicicleta'),
          wheel_count: 2,
          rider_capacity: 1,
          return_constraint: 'any_station',
          default_pricing_plan_id: GBFS_FREE_PLAN_ID,
          pricing_plan_ids: [GBFS_FREE_PLAN_ID],
        },
      ],
    });
  }

  pricingPlans(): GbfsFile<SystemPricingPlansData> {
    return this.file('system_pricing_plans', this.startedAt, {
      plans: [
        {
          plan_id: GBFS_FREE_PLAN_ID,
          name: es('Gratuito'),
          currency: 'COP',
          price: 0,
          is_taxable: false,
          description: es('Préstamo gratuito para usuarios registrados'),
        },
      ],
    });
  }

  async stationInformation(): Promise<GbfsFile<StationInformationData>> {
    const stations = await this.publicStations();
    const lastChange = latest(stations.map((s) => s.updatedAt)) ?? this.startedAt;
    return this.file('station_information', lastChange, {
      stations: stations.map((s) => ({
        station_id: s.id,
        name: es(s.name),
        short_name: es(s.code),
        lat: s.lat,
        lon: s.lon,
        ...(s.address.trim() ? { address: s.address } : {}),
        capacity: s.capacity,
        is_virtual_station: false,
        vehicle_docks_capacity: [{ vehicle_type_ids: [GBFS_VEHICLE_TYPE_ID], count: s.capacity }],
      })),
    });
  }

  async stationStatus(): Promise<GbfsFile<StationStatusData>> {
    const stations = await this.publicStations();
    await this.hours.refresh();
    const now = this.clock.now();
    // Read from the database just now: that read is the publisher's knowledge of the system, and
    // is_renting also changes with the clock (opening hours, pilot dates) without any write.
    return this.file('station_status', now, {
      stations: stations.map((s) => {
        const docksAvailable = s.capacity - s.bikesDocked;
        return {
          station_id: s.id,
          num_vehicles_available: s.bikesAvailable,
          vehicle_types_available: [{ vehicle_type_id: GBFS_VEHICLE_TYPE_ID, count: s.bikesAvailable }],
          // Bikes in the rack awaiting repair.
          num_vehicles_disabled: s.bikesDocked - s.bikesAvailable,
          num_docks_available: docksAvailable,
          vehicle_docks_available: [{ vehicle_type_ids: [GBFS_VEHICLE_TYPE_ID], count: docksAvailable }],
          is_installed: true,
          is_renting: this.hours.isRenting(s, now),
          // Returns are accepted at any hour, but not at a station an admin has closed.
          is_returning: s.active,
          last_reported: this.timestamp(s.availabilityUpdatedAt),
        };
      }),
    });
  }

  async alerts(): Promise<GbfsFile<SystemAlertsData>> {
    const stations = await this.publicStations();
    const alerts: SystemAlertsData['alerts'] = [];
    const closing = await this.closing();
    const end = this.config.pilot.end;
    if (closing.state?.status === 'closed' && closing.state.closedAt) {
      // An admin closed the pilot: that moment is when loans stopped, whatever PILOT_END said.
      const closedAt = closing.state.closedAt;
      alerts.push({
        alert_id: 'pilot-closed',
        type: 'system_closure',
        times: [{ start: this.timestamp(closedAt) }],
        summary: es('Fin del piloto Metrobici'),
        description: es(
          `El piloto de bicicletas públicas terminó${closing.terminationDate ? ` (último día de operación: ${closing.terminationDate})` : ''}: ya no se prestan bicicletas. Las bicicletas prestadas se siguen recibiendo en las estaciones.`,
        ),
        last_updated: this.timestamp(closing.changedAt),
      });
    } else if (end) {
      const local = bogotaParts(end);
      const time = `${String(local.hour).padStart(2, '0')}:${String(local.minutesOfDay % 60).padStart(2, '0')}`;
      alerts.push({
        alert_id: 'pilot-end',
        type: 'system_closure',
        // A scheduled instant: the only timestamp here that may lie ahead.
        times: [{ start: toBogotaIso(end) }],
        summary: es('Fin del piloto Metrobici'),
        description: es(
          `El piloto de bicicletas públicas termina el ${local.day} de ${MONTHS[local.month - 1]} de ${local.year} a las ${time} (hora de Bogotá); desde entonces no se prestan bicicletas.`,
        ),
        last_updated: this.timestamp(this.startedAt),
      });
    }
    for (const s of stations.filter((station) => !station.active)) {
      alerts.push({
        alert_id: `station-closure-${s.id}`,
        type: 'station_closure',
        station_ids: [s.id],
        summary: es(`Estación cerrada: ${s.name}`),
        description: es(
          `La estación ${s.name} está cerrada por la administración: no presta ni recibe bicicletas hasta nuevo aviso.`,
        ),
        last_updated: this.timestamp(s.updatedAt),
      });
    }
    // A reopened station removes its alert: any station change may have changed this file.
    const lastChange = latest([closing.changedAt, ...stations.map((s) => s.updatedAt)]) ?? this.startedAt;
    return this.file('system_alerts', lastChange, { alerts });
  }

  /**
   * The pilot's end as published: the date an admin gave when closing it (pilot_state), else
   * PILOT_END. `changedAt` is when that last changed, for `last_updated`.
   */
  private async closing(): Promise<{
    state: PilotStateEntity | null;
    terminationDate: string | null;
    changedAt: Date;
  }> {
    const state = await this.hours.pilotState();
    const end = this.config.pilot.end;
    const closed = state?.status === 'closed';
    const terminationDate = closed
      ? (state.endDate ?? (state.closedAt ? bogotaDate(state.closedAt) : null))
      : end
        ? bogotaDate(end)
        : null;
    const changedAt =
      state && (state.closedAt || state.reopenedAt)
        ? (latest([this.startedAt, state.updatedAt]) ?? this.startedAt)
        : this.startedAt;
    return { state, terminationDate, changedAt };
  }

  private publicStations(): Promise<StationEntity[]> {
    return this.dataSource.getRepository(StationEntity).find({ where: { kind: 'station' }, order: { code: 'ASC' } });
  }

  private file<N extends GbfsFeedName>(name: N, lastUpdated: Date, data: GbfsFeedData[N]): GbfsFile<GbfsFeedData[N]> {
    return { last_updated: this.timestamp(lastUpdated), ttl: GBFS_TTL[name], version: GBFS_VERSION, data };
  }

  /** RFC 3339 in Bogotá time, never later than the clock (database times are wall-clock times). */
  private timestamp(at: Date): string {
    const now = this.clock.now();
    return toBogotaIso(at > now ? now : at);
  }

  private baseUrl(requestBaseUrl: string): string {
    return trimSlashes(this.config.http.publicBaseUrl ?? requestBaseUrl);
  }
}

function feedUrl(base: string, name: GbfsFeedName): string {
  return `${base}/gbfs/${name}.json`;
}

function feedUrlV2(base: string, name: GbfsV2FeedName): string {
  return `${base}/gbfs/v${GBFS_V2_VERSION}/${name}.json`;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

function latest(dates: Date[]): Date | undefined {
  return dates.reduce<Date | undefined>((max, d) => (max === undefined || d > max ? d : max), undefined);
}
