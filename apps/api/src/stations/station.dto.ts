import {
  IsBoolean,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export class CreateStationRequestDto {
  /** Short unique code, e.g. SANPIO */
  @IsString()
  @Matches(/^[A-Z0-9-]{2,32}$/, { message: 'code must be 2-32 upper-case letters, digits or dashes' })
  code: string;

  @IsString()
  @MinLength(2)
  @MaxLength(120)
  name: string;

  @IsString()
  @MaxLength(200)
  address: string;

  @IsNumber()
  @IsLatitude()
  lat: number;

  @IsNumber()
  @IsLongitude()
  lon: number;

  /** Rack spaces */
  @IsInt()
  @Min(1)
  @Max(500)
  capacity: number;

  @IsOptional()
  @IsIn(['station', 'depot'])
  kind?: 'station' | 'depot';

  @IsOptional()
  @IsBoolean()
  nearMetrolinea?: boolean;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  helmetsAvailable?: number;
}

export class UpdateStationRequestDto {
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  address?: string;

  @IsOptional()
  @IsNumber()
  @IsLatitude()
  lat?: number;

  @IsOptional()
  @IsNumber()
  @IsLongitude()
  lon?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  capacity?: number;

  @IsOptional()
  @IsBoolean()
  nearMetrolinea?: boolean;

  /** Helmets on hand at the station (counted by the operator). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  helmetsAvailable?: number;
}
