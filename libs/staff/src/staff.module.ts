import { Module } from '@nestjs/common';
import { StaffSessionService } from './staff-session.service';
import { StaffService } from './staff.service';

@Module({ providers: [StaffService, StaffSessionService], exports: [StaffService, StaffSessionService] })
export class StaffModule {}
