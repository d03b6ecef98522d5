// Planners' dashboard (GET /api/v1/stats/*) and the data package for the advisers. Each block
// loads on its own: one endpoint missing (404) or failing leaves the others working. The blocks
// are panels (panels/planner/); this page lays them out and loads them for the chosen range.
import { t } from '../i18n/index.js';
import { api, query } from '../lib/api.js';
import { ensureChartJs } from '../lib/charts.js';
import { h, whileBusy } from '../lib/dom.js';
import { createBlocks } from '../panels/planner/blocks.js';
import { createCharts } from '../panels/planner/charts.js';
import { donorsTable } from '../panels/planner/donors.js';
import { kpiCards } from '../panels/planner/kpi-cards.js';
import { odMatrix } from '../panels/planner/od-matrix.js';
import { packagePanel } from '../panels/planner/package.js';
import { rangeForm } from '../panels/planner/range-form.js';
import { stationTable } from '../panels/planner/station-table.js';

const STATS = ['summary', 'daily', 'hourly', 'stations', 'od', 'donors'];

export function renderPlanner(view) {
  const filters = rangeForm();
  const blocks = createBlocks();
  const charts = createCharts(blocks);
  const pkg = packagePanel(filters);
  // Says when the figures include synthetic demo data, or that some exist but are left out.
  const syntheticBanner = h('p', { class: 'banner', role: 'status', hidden: true, 'data-synthetic-banner': '' });
  const showSynthetic = (s) => {
    const included = s.includesSynthetic === true;
    syntheticBanner.hidden = !(included || s.syntheticTrips > 0);
    syntheticBanner.className = included ? 'banner banner--warning' : 'banner banner--info';
    syntheticBanner.textContent = included
      ? t('planner.syntheticShown')
      : t('planner.syntheticAvailable', { n: s.syntheticTrips ?? 0 });
  };
  view.append(
    h('h1', {}, t('planner.title')),
    h('p', { class: 'lead' }, t('planner.intro')),
    filters.form,
    filters.message.el,
    syntheticBanner,
    blocks.block('kpis', t('planner.kpisTitle'), 'block--wide'),
    h(
      'div',
      { class: 'dashboard-grid' },
      blocks.block('daily', t('planner.dailyTitle')),
      blocks.block('hourly', t('planner.hourlyTitle')),
      blocks.block('gender', t('planner.genderTitle')),
      blocks.block('age', t('planner.ageTitle')),
    ),
    blocks.block('stations', t('planner.stationsTitle'), 'block--wide'),
    blocks.block('od', t('planner.odTitle'), 'block--wide'),
    blocks.block('donors', t('planner.donorsTitle'), 'block--wide'),
    pkg.el,
  );

  let generation = 0;
  let disposed = false;

  /** What each answer draws, and which blocks say so when it fails. */
  const drawings = (Chart, name) => ({
    summary: [
      ['kpis', 'gender', 'age'],
      (s) => {
        showSynthetic(s);
        blocks.show('kpis', kpiCards(s));
        charts.gender(Chart, s);
        charts.age(Chart, s);
      },
    ],
    daily: [['daily'], (rows) => charts.daily(Chart, rows)],
    hourly: [['hourly'], (rows) => charts.hourly(Chart, rows)],
    stations: [
      ['stations'],
      (rows) => (rows.length ? blocks.show('stations', stationTable(rows, name)) : blocks.empty('stations')),
    ],
    od: [['od'], (pairs) => (pairs.length ? blocks.show('od', odMatrix(pairs, name)) : blocks.empty('od'))],
    donors: [['donors'], (rows) => (rows.length ? blocks.show('donors', donorsTable(rows)) : blocks.empty('donors'))],
  });

  async function load() {
    filters.message.clear();
    if (!filters.valid()) {
      filters.message.set(t('planner.rangeInvalid'), 'error');
      return;
    }
    const mine = ++generation;
    charts.destroy();
    blocks.loading();
    const q = query(filters.range());
    const requests = Object.fromEntries(STATS.map((path) => [path, api.get(`/api/v1/stats/${path}${q}`)]));
    for (const p of Object.values(requests)) p.catch(() => {}); // handled below, after Chart.js loads
    const Chart = await ensureChartJs().catch(() => null);
    const stale = () => mine !== generation || disposed;
    const todo = drawings(Chart, filters.stationName);
    await Promise.all(
      STATS.map(async (path) => {
        const [keys, draw] = todo[path];
        try {
          const data = await requests[path];
          if (!stale()) draw(data);
        } catch (error) {
          if (!stale()) for (const key of keys) blocks.problem(key, error);
        }
      }),
    );
  }

  filters.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(filters.apply, load);
  });
  void filters.loadStations().then(() => {
    if (!disposed) void load();
  });

  return () => {
    disposed = true;
    pkg.dispose();
    charts.destroy();
  };
}
