export * from './staff-user.entity';
export * from './staff.service';
export * from './staff.module';
export * from './password';
export * from './staff-accounts';
export * from './staff-session.entity';
export * from './staff-session.service';
