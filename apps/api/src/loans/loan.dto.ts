import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { DOCUMENT_TYPES, type DocumentType } from '@metrobici/riders';
import type { LoanListState } from '@metrobici/loans';

export class CheckOutRequestDto {
  /** Bike code as painted on the frame, e.g. BAV-001 */
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: 'bikeCode must be 1-32 letters, digits or dashes' })
  bikeCode: string;

  /** Rider id, or documentType + documentNumber */
  @IsOptional()
  @IsUUID()
  riderId?: string;

  @IsOptional()
  @IsIn(DOCUMENT_TYPES)
  documentType?: DocumentType;

  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(32)
  documentNumber?: string;

  @IsUUID()
  stationId: string;

  @IsOptional()
  @IsBoolean()
  helmet?: boolean;
}

export class ReturnRequestDto {
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: 'bikeCode must be 1-32 letters, digits or dashes' })
  bikeCode: string;

  @IsUUID()
  stationId: string;
}

export class RenewRequestDto {
  @IsUUID()
  stationId: string;
}

export class CorrectionRequestDto {
  /** Why the operator corrects the record (kept in the bike log) */
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class ForceReturnRequestDto extends CorrectionRequestDto {
  @IsUUID()
  stationId: string;
}

export class ListLoansQueryDto {
  @IsOptional()
  @IsIn(['open', 'overdue', 'closed', 'all'])
  state?: LoanListState;

  @IsOptional()
  @IsUUID()
  stationId?: string;

  @IsOptional()
  @IsUUID()
  riderId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
