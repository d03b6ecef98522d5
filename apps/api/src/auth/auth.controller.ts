import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import type { Actor } from '@metrobici/common';
import { StaffService } from '@metrobici/staff';
import { RateLimit } from '../common/rate-limit.guard';
import { CurrentActor, Public } from './auth.decorators';
import { TokenService } from './token.service';

export class LoginRequestDto {
  /** Staff e-mail, e.g. operator@metrobici.local */
  @IsEmail({ require_tld: false })
  @MaxLength(254)
  email: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly staff: StaffService,
    private readonly tokens: TokenService,
  ) {}

  @Public()
  @RateLimit('login')
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Staff login; returns a short-lived bearer token' })
  async login(@Body() body: LoginRequestDto) {
    const actor = await this.staff.authenticate(body.email, body.password);
    return this.tokens.issue(actor);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in staff member' })
  me(@CurrentActor() actor: Actor) {
    return actor;
  }
}
