export * from './mds-mapping';
export * from './mds.types';
export * from './mds.service';
export * from './mds.module';
