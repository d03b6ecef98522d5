import { Type } from 'class-transformer';
import { Equals, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PACKAGE_KINDS, type PackageKind } from '@metrobici/exports';
import { IsDateInRange } from '../common/dates';

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = '$property must be a local date YYYY-MM-DD';

export class ExportRangeDto {
  /** First local day (America/Bogota), inclusive, YYYY-MM-DD */
  @IsString()
  @Matches(LOCAL_DATE, { message: DATE_MESSAGE })
  @IsDateInRange()
  from: string;

  /** Last local day, inclusive, YYYY-MM-DD */
  @IsString()
  @Matches(LOCAL_DATE, { message: DATE_MESSAGE })
  @IsDateInRange()
  to: string;
}

export class TripsCsvQueryDto extends ExportRangeDto {
  /** `include` adds the SYNTHETIC demo trips (marked); default `exclude` */
  @IsOptional()
  @IsIn(['include', 'exclude'])
  synthetic?: 'include' | 'exclude';
}

export class CreateExportRequestDto extends ExportRangeDto {
  /** `public` (aggregates, small cells suppressed; default) or `research` (trip rows of consenting riders; needs an admin's approval) */
  @IsOptional()
  @IsIn(PACKAGE_KINDS)
  kind?: PackageKind;

  /** Research: who receives the package (organisation, person) */
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(200)
  recipient?: string;

  /** Research: reference of the data-sharing agreement */
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  agreementRef?: string;

  /** Public only: `include` adds the SYNTHETIC demo trips; default `exclude` */
  @IsOptional()
  @IsIn(['include', 'exclude'])
  synthetic?: 'include' | 'exclude';
}

export class ListExportsQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ClosePilotRequestDto {
  /** Last local day of operation, announced as GBFS termination_date (today or earlier) */
  @IsString()
  @Matches(LOCAL_DATE, { message: DATE_MESSAGE })
  endDate: string;

  /** Must be literally `true`: closing stops every check-out at once */
  @Equals(true, { message: 'confirm must be true: closing the pilot stops every check-out' })
  confirm: true;
}

export class ReopenPilotRequestDto {
  /** Why the pilot is reopened (kept in the pilot log) */
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}
