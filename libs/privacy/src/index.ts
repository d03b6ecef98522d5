export * from './privacy.service';
export * from './privacy.module';
