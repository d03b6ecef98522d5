import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { StaffModule } from '@metrobici/staff';
import { AuthController } from './auth.controller';
import { LoginThrottle } from './login-throttle';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenService } from './token.service';

/** Staff login and tokens; used by the HTTP guard and the staff socket namespace alike. */
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // One KeyObject for the process, not a key derived from the string on every call.
        secret: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')),
        signOptions: {
          algorithm: 'HS256',
          expiresIn: config.auth.jwtTtlSeconds,
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
        },
        verifyOptions: { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
      }),
    }),
    StaffModule,
  ],
  controllers: [AuthController],
  providers: [TokenService, LoginThrottle],
  exports: [TokenService, LoginThrottle, StaffModule],
})
export class AuthModule {}
