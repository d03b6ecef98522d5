import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { BIKE_STATES, type BikeState, REBALANCING_MOVE_STATES, type RebalancingMoveState } from '@metrobici/fleet';

const BIKE_CODE = /^[A-Z0-9-]{2,32}$/;
const BIKE_CODE_MESSAGE = 'code must be 2-32 upper-case letters, digits or dashes';

export class ListBikesQueryDto {
  @IsOptional()
  @IsUUID()
  stationId?: string;

  @IsOptional()
  @IsIn(BIKE_STATES)
  state?: BikeState;

  /** Donor code */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  donor?: string;

  /** At most 1000; default 500 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class RegisterBikeRequestDto {
  /** Code painted on the frame, e.g. MB-0042 */
  @IsString()
  @Matches(BIKE_CODE, { message: BIKE_CODE_MESSAGE })
  code: string;

  /** Donor code */
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  donor: string;

  /** Station or depot where the bike enters service */
  @IsUUID()
  stationId: string;
}

export class RetireBikeRequestDto {
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class ReportDamageRequestDto {
  /** What is wrong, as seen by the operator */
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  note: string;
}

export class RepairBikeRequestDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class ReportMissingRequestDto {
  /** Police report number ("denuncia") */
  @IsString()
  @Matches(/\S/, { message: 'policeReport must not be blank' })
  @MinLength(3)
  @MaxLength(64)
  policeReport: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class MarkFoundRequestDto {
  /** Station or depot where the bike was brought */
  @IsUUID()
  stationId: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class PickUpRequestDto {
  @IsString()
  @Matches(BIKE_CODE, { message: 'bikeCode must be 2-32 upper-case letters, digits or dashes' })
  bikeCode: string;

  @IsUUID()
  fromStationId: string;
}

export class DropRequestDto {
  /** Station or depot */
  @IsUUID()
  toStationId: string;
}

export class ListMovesQueryDto {
  @IsOptional()
  @IsIn(REBALANCING_MOVE_STATES)
  state?: RebalancingMoveState;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
