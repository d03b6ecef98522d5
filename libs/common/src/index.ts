export * from './domain-error';
export * from './clock';
export * from './bogota-time';
export * from './colombian-holidays';
export * from './opening-hours';
export * from './actor';
export * from './clock.module';
