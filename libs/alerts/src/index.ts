export * from './alert.entity';
export * from './alert-store';
export * from './alert.service';
export * from './alerts.module';
