export * from './outbox-event.entity';
export * from './outbox-event.types';
export * from './outbox.writer';
export * from './outbox-sql';
export * from './outbox-payload-shapes';
