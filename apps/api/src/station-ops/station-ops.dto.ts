import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { INCIDENT_TYPES, type IncidentType } from '@metrobici/station-ops';
import { IsDateInRange } from '../common/dates';

export class ShiftCountRequestDto {
  /** Bikes in the rack, counted by hand (available and awaiting repair) */
  @IsInt()
  @Min(0)
  @Max(10000)
  bikesCounted: number;

  /** Helmets in stock at the station, counted by hand */
  @IsInt()
  @Min(0)
  @Max(10000)
  helmetsCounted: number;
}

export class CloseShiftRequestDto extends ShiftCountRequestDto {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class ListShiftsQueryDto {
  /** open: the open shifts (after a reload); all (default): the latest */
  @IsOptional()
  @IsIn(['open', 'all'])
  state?: 'open' | 'all';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class StationReportQueryDto {
  /** The Bogotá day, YYYY-MM-DD */
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  @IsDateInRange()
  date: string;
}

export class ReportIncidentRequestDto {
  @IsIn(INCIDENT_TYPES)
  type: IncidentType;

  @IsUUID()
  stationId: string;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: 'bikeCode must be 1-32 letters, digits or dashes' })
  bikeCode?: string;

  @IsOptional()
  @IsUUID()
  loanId?: string;

  /** What happened, in the operator's words (no rider's document or phone) */
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  @Matches(/\S/, { message: 'description must not be blank' })
  description: string;
}

export class ListIncidentsQueryDto {
  @IsOptional()
  @IsUUID()
  stationId?: string;

  /** First Bogotá day, YYYY-MM-DD (inclusive) */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be YYYY-MM-DD' })
  @IsDateInRange()
  from?: string;

  /** Last Bogotá day, YYYY-MM-DD (inclusive) */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be YYYY-MM-DD' })
  @IsDateInRange()
  to?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
