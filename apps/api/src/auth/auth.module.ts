import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { StaffModule } from '@metrobici/staff';
import { AuthController } from './auth.controller';
import { TokenService } from './token.service';

/** Staff login and tokens; used by the HTTP guard and the staff socket namespace alike. */
@Module({
  imports: [JwtModule.register({}), StaffModule],
  controllers: [AuthController],
  providers: [TokenService],
  exports: [TokenService, StaffModule],
})
export class AuthModule {}
