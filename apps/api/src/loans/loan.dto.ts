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

  /** Whether the helmet lent with the bike came back (default true; ignored when none was lent). false: recorded on the loan, not back in stock, one strike */
  @IsOptional()
  @IsBoolean()
  helmetReturned?: boolean;
}

export class ReportMissingRequestDto {
  /** What the operator knows (last contact with the rider, where it was seen) */
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  @Matches(/\S/, { message: 'note must not be blank' })
  note: string;

  /** The police report number ("denuncia"), when there is one */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  policeReport?: string;
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
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason: string;
}

export class ForceReturnRequestDto extends CorrectionRequestDto {
  @IsUUID()
  stationId: string;

  /** As on a return: false when the lent helmet did not come back */
  @IsOptional()
  @IsBoolean()
  helmetReturned?: boolean;
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

  /** The open loan of this bike, wherever it started (an operator renewing it at their station) */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: 'bikeCode must be 1-32 letters, digits or dashes' })
  bikeCode?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
