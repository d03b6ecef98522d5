export * from './socket-events';
