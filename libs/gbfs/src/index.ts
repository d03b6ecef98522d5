export * from './gbfs.types';
export * from './gbfs.service';
export * from './gbfs.module';
