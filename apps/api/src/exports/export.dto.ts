import { Type } from 'class-transformer';
import { Equals, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = '$property must be a local date YYYY-MM-DD';

export class ExportRangeDto {
  /** First local day (America/Bogota), inclusive, YYYY-MM-DD */
  @IsString()
  @Matches(LOCAL_DATE, { message: DATE_MESSAGE })
  from: string;

  /** Last local day, inclusive, YYYY-MM-DD */
  @IsString()
  @Matches(LOCAL_DATE, { message: DATE_MESSAGE })
  to: string;
}

export class TripsCsvQueryDto extends ExportRangeDto {}

export class CreateExportRequestDto extends ExportRangeDto {}

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
