export * from './staff-user.entity';
