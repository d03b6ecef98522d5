import { InitialSchema1795571131193 } from './1795571131193-initial-schema';
import { BikeEventsAppendOnly1795571132193 } from './1795571132193-bike-events-append-only';
import { OutboxNotify1795571133193 } from './1795571133193-outbox-notify';
import { TripStats1795571134193 } from './1795571134193-trip-stats';
import { ExportsAndPilot1795571135193 } from './1795571135193-exports-and-pilot';

/** The one linear history, oldest first. Generated migrations are never edited once committed. */
export const MIGRATIONS: Function[] = [
  InitialSchema1795571131193,
  BikeEventsAppendOnly1795571132193,
  OutboxNotify1795571133193,
  TripStats1795571134193,
  ExportsAndPilot1795571135193,
];
