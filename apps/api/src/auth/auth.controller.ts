import { Body, Controller, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { type Actor, DomainError } from '@metrobici/common';
import { StaffService, StaffSessionService } from '@metrobici/staff';
import { RateLimit } from '../common/rate-limit.guard';
import { CurrentActor, Public } from './auth.decorators';
import { LoginThrottle } from './login-throttle';
import { bearerToken, TokenService } from './token.service';

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

export class RefreshRequestDto {
  /** The refresh token of the last login or refresh; each is accepted once */
  @IsString()
  @MaxLength(200)
  refreshToken: string;
}

export class LogoutRequestDto {
  /** Ends the session this refresh token belongs to (also when the access token has expired) */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  refreshToken?: string;
}

export class ChangePasswordRequestDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  currentPassword: string;

  /** At least 10 characters */
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  newPassword: string;
}

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly staff: StaffService,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly sessions: StaffSessionService,
  ) {}

  @Public()
  @RateLimit('login')
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Staff login: opens a session of STAFF_SESSION_HOURS; answers a short-lived access token and a single-use refresh token (limited per address and per account)',
  })
  async login(
    @Body() body: LoginRequestDto,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      await this.throttle.assertNotLocked(body.email);
    } catch (error) {
      const seconds = (error as DomainError).details?.retryAfterSeconds;
      if (typeof seconds === 'number') res.setHeader('Retry-After', String(seconds));
      throw error;
    }
    let actor: Actor;
    try {
      actor = await this.staff.authenticate(body.email, body.password);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'INVALID_CREDENTIALS') await this.throttle.failed(body.email);
      throw error;
    }
    await this.throttle.succeeded(body.email);
    return this.tokens.issue(actor, userAgent);
  }

  @Public()
  @RateLimit('login')
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Rotates the pair: the refresh token is spent and a new access and refresh token answered; a refresh token used twice ends the whole session',
  })
  refresh(@Body() body: RefreshRequestDto) {
    return this.tokens.refresh(body.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Ends the session of the bearer token and/or of the refresh token given (always 204)' })
  async logout(@Req() req: Request, @Body() body: LogoutRequestDto) {
    if (body.refreshToken) await this.sessions.endByRefreshToken(body.refreshToken);
    // An expired access token still names its session well enough to end it (its signature holds).
    const claims = await this.tokens.verifyIgnoringExpiry(bearerToken(req.headers.authorization));
    if (claims?.sid) await this.sessions.end(claims.sid, 'logout', claims.sub);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in staff member' })
  me(@CurrentActor() actor: Actor) {
    return actor;
  }

  @Post('password')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change one’s own password; every existing token of the account stops working' })
  async changePassword(@CurrentActor() actor: Actor, @Body() body: ChangePasswordRequestDto) {
    // A stolen token must not become a way to guess the password: same per-account count as login.
    await this.throttle.assertNotLocked(actor.email);
    try {
      await this.staff.changeOwnPassword(actor, body.currentPassword, body.newPassword);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'INVALID_CREDENTIALS') await this.throttle.failed(actor.email);
      throw error;
    }
    // The password change ended every session (token version); this one goes on in a new session.
    return this.tokens.issue(actor);
  }
}
