import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { IsDateInRange } from '../common/dates';

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class StatsQueryDto {
  /** First local date (America/Bogota), inclusive, YYYY-MM-DD; default: 29 days before `to` */
  @IsOptional()
  @Matches(LOCAL_DATE, { message: 'from must be a local date YYYY-MM-DD' })
  @IsDateInRange()
  from?: string;

  /** Last local date, inclusive, YYYY-MM-DD; default: today. At most 400 days after `from` */
  @IsOptional()
  @Matches(LOCAL_DATE, { message: 'to must be a local date YYYY-MM-DD' })
  @IsDateInRange()
  to?: string;

  /** Only trips that start or end at this station (and this station's samples, moves, reports) */
  @IsOptional()
  @IsUUID()
  stationId?: string;

  /** `include` counts the SYNTHETIC demo trips and riders too; default `exclude` (real data only) */
  @IsOptional()
  @IsIn(['include', 'exclude'])
  synthetic?: 'include' | 'exclude';
}

export class FailedJobsQueryDto {
  /** One queue (e.g. `trips`); default: every worker queue */
  @IsOptional()
  @Matches(/^[a-z0-9._-]{1,64}$/, { message: 'queue must be a queue name' })
  queue?: string;

  /** Most recent failed jobs per queue; default 100, at most 1000 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
