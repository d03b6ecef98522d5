import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  DOCUMENT_TYPES,
  type DocumentType,
  type Gender,
  GENDERS,
  type RiderStatus,
} from '@metrobici/riders';

const RIDER_STATUSES: RiderStatus[] = ['pending', 'active', 'suspended'];

export class ConsentRequestDto {
  /** The rider ticked the Ley 1581 data-processing authorisation. */
  @IsBoolean()
  accepted: boolean;

  /** Version of the terms shown to the rider, e.g. `2019-10`. */
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  termsVersion: string;

  /** Purposes authorised: `service` (implied, required to borrow), `research`, `reminders`; default `service` only */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(CONSENT_PURPOSES, { each: true })
  purposes?: ConsentPurpose[];
}

export class GuardianRequestDto {
  @IsString()
  @MinLength(2)
  @MaxLength(160)
  name: string;

  @IsIn(DOCUMENT_TYPES)
  documentType: DocumentType;

  @IsString()
  @MinLength(1)
  @MaxLength(40)
  documentNumber: string;

  /** The guardian's birth date, YYYY-MM-DD: the guardian must be an adult */
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'guardian.birthDate must be a date YYYY-MM-DD' })
  birthDate: string;
}

export class RegisterRiderRequestDto {
  /** CC, TI, CE, PA, PEP or PPT */
  @IsIn(DOCUMENT_TYPES)
  documentType: DocumentType;

  /** Dots, dashes and spaces are ignored, e.g. `1.098.765.432`. */
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  documentNumber: string;

  @IsString()
  @MinLength(1)
  @MaxLength(80)
  firstName: string;

  @IsString()
  @MinLength(1)
  @MaxLength(80)
  lastName: string;

  /** Local date `YYYY-MM-DD` */
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be a date YYYY-MM-DD' })
  birthDate: string;

  /** `undisclosed` is "prefer not to say" */
  @IsIn(GENDERS)
  gender: Gender;

  @IsString()
  @Matches(/^[0-9+ ]{7,20}$/, { message: 'phone must be 7-20 digits, spaces or +' })
  phone: string;

  @IsOptional()
  @IsEmail({ require_tld: true })
  @MaxLength(254)
  email?: string;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentRequestDto)
  consent: ConsentRequestDto;

  /** Required for riders under 18 */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GuardianRequestDto)
  guardian?: GuardianRequestDto;
}

export class ListRidersQueryDto {
  @IsOptional()
  @IsIn(DOCUMENT_TYPES)
  documentType?: DocumentType;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  documentNumber?: string;

  @IsOptional()
  @IsIn(RIDER_STATUSES)
  status?: RiderStatus;

  /** 1-200, default 50 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class VerifyRiderRequestDto {
  /** Station where the operator saw the identity document */
  @IsUUID()
  stationId: string;
}

export class SuspendRiderRequestDto {
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class ChangeConsentsRequestDto {
  /** The purposes the rider authorises from now on (`service` stays; withdrawing it is asking for deletion) */
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(CONSENT_PURPOSES, { each: true })
  purposes: ConsentPurpose[];
}

export class RectifyRiderRequestDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  firstName?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  lastName?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[0-9+ ]{7,20}$/, { message: 'phone must be 7-20 digits, spaces or +' })
  phone?: string;

  @IsOptional()
  @IsEmail({ require_tld: true })
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsIn(GENDERS)
  gender?: Gender;

  /** Local date YYYY-MM-DD */
  @IsOptional()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be a date YYYY-MM-DD' })
  birthDate?: string;

  /** With documentNumber: corrected with the identity document in hand */
  @IsOptional()
  @IsIn(DOCUMENT_TYPES)
  documentType?: DocumentType;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  documentNumber?: string;

  /** Why (the rider's request); kept in the change log with who made it */
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class AnonymiseRiderRequestDto {
  /** Why (e.g. the rider's deletion request); must not name the rider */
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class PersonalDataAuditQueryDto {
  @IsOptional()
  @IsUUID()
  riderId?: string;

  @IsOptional()
  @IsUUID()
  actorId?: string;

  /** From this instant (ISO 8601), inclusive */
  @IsOptional()
  @IsISO8601()
  from?: string;

  /** Until this instant (ISO 8601), exclusive */
  @IsOptional()
  @IsISO8601()
  to?: string;

  /** 1-1000, default 200 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
