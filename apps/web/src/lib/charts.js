// Chart.js (UMD build from node_modules, loaded only on the pages that draw charts). Every chart
// has a text alternative: an aria-label on the canvas and the same numbers as a table.
import { locale, t } from '../i18n/index.js';
import { h, loadScript, tableWrap } from './dom.js';

const CHART_JS = '/vendor/chart.js/chart.umd.min.js';
export const PALETTE = ['#0b6e4f', '#d95f02', '#1f78b4', '#7570b3', '#e7298a', '#66a61e', '#a6761d', '#666666'];

export async function ensureChartJs() {
  await loadScript(CHART_JS);
  const Chart = window.Chart;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#1b1b1b';
  Chart.defaults.locale = locale;
  Chart.defaults.animation = false; // calmer on phones, and no motion for people who dislike it
  Chart.defaults.maintainAspectRatio = false;
  return Chart;
}

/**
 * A chart with its data table. `kind`: 'line' | 'bar' | 'doughnut'.
 * @returns {{ el: HTMLElement, destroy(): void }}
 */
export function chartBlock(
  Chart,
  { kind, label, labels, datasets, headers, stacked = false, horizontal = false, valueFormat = (v) => String(v) },
) {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const rows = labels.map((l, i) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, String(l)),
      datasets.map((d) => h('td', {}, valueFormat(d.data[i]))),
    ),
  );
  const table = h(
    'table',
    { class: 'table table--compact' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, headers[0]),
        datasets.map((d) => h('th', { scope: 'col' }, d.label)),
      ),
    ),
    h('tbody', {}, rows),
  );
  const el = h(
    'figure',
    { class: `chart chart--${kind}` },
    h('div', { class: 'chart__canvas' }, canvas),
    h('details', { class: 'chart__data' }, h('summary', {}, t('common.showData')), tableWrap(label, table)),
  );
  const colored = datasets.map((d, i) => ({
    ...d,
    backgroundColor:
      kind === 'doughnut' ? labels.map((_, j) => PALETTE[j % PALETTE.length]) : `${PALETTE[i % PALETTE.length]}cc`,
    borderColor: kind === 'doughnut' ? '#fff' : PALETTE[i % PALETTE.length],
    borderWidth: kind === 'line' ? 2 : 1,
    pointRadius: kind === 'line' ? (labels.length > 60 ? 0 : 2) : undefined,
    tension: 0.2,
    fill: false,
  }));
  const chart = new Chart(canvas, {
    type: kind,
    data: { labels, datasets: colored },
    options: {
      responsive: true,
      indexAxis: horizontal ? 'y' : 'x',
      plugins: { legend: { display: kind === 'doughnut' || datasets.length > 1, position: 'bottom' } },
      scales:
        kind === 'doughnut'
          ? {}
          : {
              x: { stacked, ticks: { maxRotation: 0, autoSkip: true } },
              y: { stacked, beginAtZero: true, ticks: { precision: 0 } },
            },
    },
  });
  return { el, destroy: () => chart.destroy() };
}
