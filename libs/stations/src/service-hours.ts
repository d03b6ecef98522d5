import { Inject, Injectable } from '@nestjs/common';
import { Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { StationEntity } from './station.entity';

/**
 * When bikes may leave a station: the station is active, the city's opening hours say open (Bogotá
 * time, Colombian holidays closed) and the pilot is running. Returns are accepted at any hour.
 */
@Injectable()
export class ServiceHours {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  isPilotRunning(at: Date = this.clock.now()): boolean {
    const { start, end } = this.config.pilot;
    return (!start || at >= start) && (!end || at < end);
  }

  isRenting(station: Pick<StationEntity, 'active' | 'kind'>, at: Date = this.clock.now()): boolean {
    return station.kind === 'station' && station.active && this.isPilotRunning(at) && this.config.pilot.openingHours.isOpen(at);
  }

  /** Throws the specific reason bikes cannot leave this station now. */
  assertRenting(station: Pick<StationEntity, 'active' | 'kind' | 'code'>, at: Date = this.clock.now()): void {
    if (station.kind !== 'station' || !station.active) {
      throw new DomainError('STATION_INACTIVE', `La estación ${station.code} está cerrada por la administración.`);
    }
    if (!this.isPilotRunning(at)) {
      throw new DomainError('PILOT_NOT_RUNNING', 'El piloto no está en operación: no se prestan bicicletas.');
    }
    if (!this.config.pilot.openingHours.isOpen(at)) {
      throw new DomainError('STATION_CLOSED', `La estación está fuera de horario (${this.config.pilot.openingHours.source}).`, {
        openingHours: this.config.pilot.openingHours.source,
      });
    }
  }

  get openingHours(): string {
    return this.config.pilot.openingHours.source;
  }
}
