import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { DOCUMENT_TYPES, GENDERS, type DocumentType, type Gender } from '@metrobici/riders';
import { Public } from '../auth/auth.decorators';

/** What the public pages need to show the service's rules as configured (not as hard-coded text). */
export interface ServiceInfoView {
  /** Version of the terms a registration must accept (`consent.termsVersion`). */
  termsVersion: string;
  minRiderAge: number;
  /** Riders younger than this need a guardian's authorisation. */
  adultAge: number;
  /** OpenStreetMap `opening_hours` syntax, local time. */
  openingHours: string;
  timeZone: string;
  loanMaxMinutes: number;
  pilotStart: string | null;
  pilotEnd: string | null;
  /** The identity documents a rider may register with, in the order forms offer them (the first is the default). */
  documentTypes: Array<{ code: DocumentType; name: string }>;
  /** The answers the registration form offers for gender (statistics only). */
  genders: readonly Gender[];
}

/**
 * Spanish names of the document types. Typed against the riders' list, so a new type does not
 * compile until it has a name; the web app shows these instead of keeping its own list.
 */
const DOCUMENT_TYPE_NAMES: Record<DocumentType, string> = {
  CC: 'Cédula de ciudadanía',
  TI: 'Tarjeta de identidad',
  CE: 'Cédula de extranjería',
  PA: 'Pasaporte',
  PEP: 'Permiso Especial de Permanencia',
  PPT: 'Permiso por Protección Temporal',
};

@ApiTags('web')
@Public()
@Controller('api/v1/service-info')
export class ServiceInfoController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({ summary: 'Public service rules: terms version, ages, opening hours, loan length, pilot dates' })
  get(): ServiceInfoView {
    const { riders, pilot, loans } = this.config;
    return {
      termsVersion: riders.termsVersion,
      minRiderAge: riders.minAge,
      adultAge: riders.adultAge,
      openingHours: pilot.openingHours.source,
      timeZone: 'America/Bogota',
      loanMaxMinutes: loans.maxMinutes,
      pilotStart: pilot.start?.toISOString() ?? null,
      pilotEnd: pilot.end?.toISOString() ?? null,
      documentTypes: DOCUMENT_TYPES.map((code) => ({ code, name: DOCUMENT_TYPE_NAMES[code] })),
      genders: GENDERS,
    };
  }
}
