export * from './outbox-event.entity';
export * from './outbox-event.types';
export * from './outbox.writer';
