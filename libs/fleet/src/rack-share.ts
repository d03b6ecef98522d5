import type { BikeState } from './bike.entity';

/** Whether a bike in this state stands in a rack (and so has a station). */
export function inRack(state: BikeState): boolean {
  return state === 'available' || state === 'maintenance';
}

/** What one bike in this state counts for in its rack's counters. */
export function rackShare(state: BikeState): { docked: number; available: number } {
  if (state === 'available') return { docked: 1, available: 1 };
  if (state === 'maintenance') return { docked: 1, available: 0 };
  return { docked: 0, available: 0 };
}
