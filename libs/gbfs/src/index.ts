export * from './gbfs.types';
export * from './gbfs.service';
export * from './gbfs.module';
export * from './gbfs-v2';
