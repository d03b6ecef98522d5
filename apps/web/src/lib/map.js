// The stations map: Leaflet (served from node_modules) with OpenStreetMap tiles when they load.
// Stations are vector markers, so with no tiles (offline, blocked) they are still drawn, on a plain
// background, and the page says the base map is missing.
import { t } from '../i18n/index.js';
import { h } from './dom.js';

const TILE_URL = 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png'; // matches the CSP img-src
const BUCARAMANGA = [7.119, -73.122];

/**
 * @param {HTMLElement} container
 * @param {{ onNotice: (text: string) => void }} options
 * @returns {{ update(stations): void, destroy(): void } | null} null when Leaflet is unavailable
 */
export function createStationsMap(container, { onNotice }) {
  const L = window.L;
  if (!L) {
    onNotice(t('citizen.mapUnavailable'));
    return null;
  }
  const map = L.map(container, {
    center: BUCARAMANGA,
    zoom: 13,
    scrollWheelZoom: false,
    keyboard: true,
    attributionControl: true,
    fadeAnimation: false,
  });
  let removed = false;
  container.classList.add('map--plain');
  let tileErrors = 0;
  let tileLoads = 0;
  const tiles = L.tileLayer(TILE_URL, {
    subdomains: 'abc',
    maxZoom: 19,
    attribution: '© colaboradores de OpenStreetMap',
  });
  tiles.on('tileload', () => {
    tileLoads++;
    container.classList.remove('map--plain');
  });
  tiles.on('tileerror', () => {
    tileErrors++;
    if (tileErrors === 1 && tileLoads === 0) onNotice(t('citizen.mapTilesUnavailable'));
  });
  tiles.addTo(map);

  const markers = new Map();
  let fitted = false;

  function markerElement(s) {
    const level = !s.isOpen ? 'closed' : s.bikesAvailable === 0 ? 'empty' : s.spacesAvailable === 0 ? 'full' : 'ok';
    return h('span', { class: `station-marker station-marker--${level}` }, String(s.bikesAvailable));
  }

  function label(s) {
    return t('citizen.markerLabel', {
      name: s.name,
      bikes: s.bikesAvailable,
      spaces: s.spacesAvailable,
      state: s.isOpen ? t('citizen.open') : t('citizen.closed'),
    });
  }

  function popup(s) {
    return h(
      'div',
      { class: 'popup' },
      h('strong', {}, s.name),
      h('br'),
      t('citizen.bikesCount', { n: s.bikesAvailable }),
      ' · ',
      t('citizen.spacesCount', { n: s.spacesAvailable }),
      h('br'),
      s.isOpen ? t('citizen.open') : t('citizen.closed'),
    );
  }

  return {
    update(stations) {
      if (removed) return;
      for (const s of stations) {
        const icon = L.divIcon({
          className: 'station-marker-wrap',
          html: markerElement(s),
          iconSize: [34, 34],
          iconAnchor: [17, 17],
        });
        let marker = markers.get(s.id);
        if (!marker) {
          marker = L.marker([s.lat, s.lon], {
            icon,
            title: label(s),
            alt: label(s),
            keyboard: true,
            riseOnHover: true,
          }).addTo(map);
          marker.bindPopup(() => popup(markers.get(s.id).station));
          // The name on hover and keyboard focus: without base tiles it is the only way to tell which is which.
          marker.bindTooltip(() => markers.get(s.id).station.name, { direction: 'top', offset: [0, -16] });
          markers.set(s.id, marker);
        } else {
          marker.setIcon(icon);
          marker.getElement()?.setAttribute('title', label(s));
          marker.getElement()?.setAttribute('aria-label', label(s));
        }
        marker.station = s;
        marker.getElement()?.setAttribute('aria-label', label(s));
        marker.getElement()?.setAttribute('data-station-id', s.id);
      }
      for (const [id, marker] of markers) {
        if (!stations.some((s) => s.id === id)) {
          marker.remove();
          markers.delete(id);
        }
      }
      if (!fitted && stations.length > 0) {
        map.fitBounds(L.latLngBounds(stations.map((s) => [s.lat, s.lon])), {
          padding: [24, 24],
          maxZoom: 15,
          animate: false,
        });
        fitted = true;
      }
    },
    invalidate() {
      map.invalidateSize();
    },
    destroy() {
      // Leaving the page mid-animation must not leave Leaflet timers pointing at removed panes.
      removed = true;
      map.stop();
      tiles.off();
      map.remove();
    },
  };
}
