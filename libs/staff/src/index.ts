export * from './staff-user.entity';
export * from './staff.service';
export * from './staff.module';
export * from './password';
