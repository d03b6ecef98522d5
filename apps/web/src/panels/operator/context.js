// What the operator's panels share: the stations, the one being worked at, its live counts, and a
// few notifications between panels (station changed, counts changed, lists to reload).
import { t } from '../../i18n/index.js';
import { StationStore } from '../../lib/live.js';

export const STATION_KEY = 'metrobici.stationId';

/** Scanners type the code with spaces or in lower case; the API stores it upper case. */
export const normaliseCode = (value) => value.trim().toUpperCase().replace(/\s+/g, '');

export function createOperatorContext(actor) {
  const listeners = { station: [], counts: [] };
  const reloaders = [];
  const disposers = [];
  let refreshTimer = null;

  const ctx = {
    actor,
    /** Every station and depot (GET /api/v1/stations/all), refreshed after changes. */
    stations: [],
    stationId: null,
    store: new StationStore(),
    stationName: (id) => ctx.stations.find((s) => s.id === id)?.name ?? t('common.unknownStation'),
    current: () => ctx.stations.find((s) => s.id === ctx.stationId),

    /** The station's numbers now: the live snapshot when there is one, else the last list read. */
    counts() {
      const s = ctx.current();
      if (!s) return null;
      const live = ctx.store.get(s.id);
      return {
        active: s.active,
        open: live ? live.isOpen : s.active,
        bikesAvailable: live?.bikesAvailable ?? s.bikesAvailable,
        spaces: live?.spacesAvailable ?? s.capacity - s.bikesDocked,
        helmets: live?.helmetsAvailable ?? s.helmetsAvailable,
      };
    },

    onStationChanged: (fn) => listeners.station.push(fn),
    onCountsChanged: (fn) => listeners.counts.push(fn),
    /** `load()` runs on every refresh (after a change here, an alert or a live update). */
    onRefresh: (load) => reloaders.push(load),

    setStation(id) {
      ctx.stationId = id;
      for (const fn of listeners.station) fn(id);
      ctx.countsChanged();
      void ctx.refreshAll();
    },
    countsChanged() {
      const counts = ctx.counts();
      if (counts) for (const fn of listeners.counts) fn(counts);
    },
    refreshAll: () => Promise.all(reloaders.map((load) => load())),
    /** Reloads a moment after a change: several events in a burst cost one reload. */
    scheduleRefresh() {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void ctx.refreshAll(), 300);
    },
    /** `fn()` runs when the page is left (unsubscribe from shared feeds). */
    onDispose: (fn) => disposers.push(fn),
    dispose() {
      clearTimeout(refreshTimer);
      for (const fn of disposers.splice(0)) fn();
    },
  };
  return ctx;
}
