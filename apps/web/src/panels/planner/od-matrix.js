// Origin–destination matrix: trips from each station (rows) to each (columns), shaded by volume.
import { t } from '../../i18n/index.js';
import { h, tableWrap } from '../../lib/dom.js';
import { formatInt } from '../../lib/format.js';

/** Light to dark green; text flips to white on dark cells for contrast. */
function cellStyle(n, max) {
  if (!n) return '';
  const strength = n / max;
  return `background-color: hsl(160 60% ${Math.round(95 - strength * 70)}%); color: ${strength > 0.55 ? '#fff' : '#1b1b1b'}`;
}

/** `pairs`: GET /stats/od; `name(id)`: a station's name. */
export function odMatrix(pairs, name) {
  const ids = [...new Set(pairs.flatMap((p) => [p.fromStationId, p.toStationId]))].sort((a, b) =>
    name(a).localeCompare(name(b), 'es'),
  );
  const counts = new Map(pairs.map((p) => [`${p.fromStationId}>${p.toStationId}`, Number(p.trips)]));
  const max = Math.max(1, ...counts.values());
  const row = (fromId) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, name(fromId)),
      ids.map((toId) => {
        const n = counts.get(`${fromId}>${toId}`) ?? 0;
        const title = t('planner.odCell', { from: name(fromId), to: name(toId), n });
        return h('td', { style: cellStyle(n, max), title }, n ? formatInt(n) : '·');
      }),
    );
  const table = h(
    'table',
    { class: 'table od', 'data-od': '' },
    h('caption', {}, t('planner.odCaption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, `${t('planner.odFrom')} \\ ${t('planner.odTo')}`),
        ids.map((id) => h('th', { scope: 'col', class: 'od__col' }, h('span', {}, name(id)))),
      ),
    ),
    h('tbody', {}, ids.map(row)),
  );
  return tableWrap(t('planner.odTitle'), table);
}
