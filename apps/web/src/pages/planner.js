// Planners' dashboard (GET /api/v1/stats/*) and the data package for the advisers
// (POST /api/v1/exports, progress by polling and over the staff socket, download).
// Each block loads on its own: one endpoint missing (404) or failing leaves the others working.
import { t } from '../i18n/index.js';
import { api, ApiError, errorMessage, query } from '../lib/api.js';
import { chartBlock, ensureChartJs } from '../lib/charts.js';
import { field, h, messageArea, replace, tableWrap, whileBusy } from '../lib/dom.js';
import { addDays, bogotaToday, formatDecimal, formatDuration, formatInt, formatShare } from '../lib/format.js';
import { connectOperations } from '../lib/live.js';
import { session } from '../lib/session.js';

const EXPORT_KEY = 'metrobici.exportId';
const POLL_MS = 1000;

/** KPI cards: key in the summary → how to show it. Absent keys are skipped. */
const KPIS = [
  ['trips', formatInt],
  ['riders', formatInt],
  ['averageDurationSeconds', formatDuration],
  ['medianDurationSeconds', formatDuration],
  ['tripsPerBikePerDay', formatDecimal],
  ['womenShare', formatShare],
  ['tripsPer1000Residents', formatDecimal],
  ['helmetShare', formatShare],
  ['overdueRate', formatShare],
  ['metrolineaShare', formatShare],
  ['renewals', formatInt],
  ['suspensions', formatInt],
  ['distanceKm', (v) => t('planner.units.km', { n: formatInt(v) })],
  ['co2AvoidedKg', (v) => t('planner.units.kg', { n: formatInt(v) })],
];

export function renderPlanner(view) {
  const today = bogotaToday();
  const from = field({
    label: t('planner.from'),
    name: 'from',
    type: 'date',
    value: addDays(today, -29),
    attrs: { max: today },
  });
  const to = field({ label: t('planner.to'), name: 'to', type: 'date', value: today, attrs: { max: today } });
  const station = field({
    label: t('planner.station'),
    name: 'stationId',
    type: 'select',
    options: [['', t('planner.allStations')]],
    value: '',
  });
  const apply = h('button', { type: 'submit', class: 'btn btn--primary' }, t('planner.apply'));
  const rangeMessage = messageArea({ assertive: true });
  rangeMessage.clear();
  const form = h(
    'form',
    { class: 'form form--inline filters', novalidate: true, 'data-range-form': '' },
    from.wrap,
    to.wrap,
    station.wrap,
    h('div', { class: 'field field--button' }, apply),
  );

  const blocks = {};
  const block = (key, title, extraClass = '') => {
    const body = h('div', { class: 'block__body', 'aria-busy': 'false' });
    const el = h(
      'section',
      { class: `panel block ${extraClass}`, 'aria-labelledby': `b-${key}`, 'data-block': key },
      h('h2', { id: `b-${key}` }, title),
      body,
    );
    blocks[key] = body;
    return el;
  };

  // Export
  const exportStart = h(
    'button',
    { type: 'button', class: 'btn btn--primary', 'data-export-start': '' },
    t('planner.exportStart'),
  );
  const progress = h('progress', {
    max: '100',
    value: '0',
    'aria-labelledby': 'export-progress-label',
    'data-export-progress': '',
  });
  const progressLabel = h('p', { id: 'export-progress-label', class: 'progress-label' }, t('planner.exportProgress'));
  const progressText = h('p', {
    class: 'progress-text',
    role: 'status',
    'aria-live': 'polite',
    'data-export-state': '',
  });
  const progressBox = h('div', { class: 'progress-box', hidden: true }, progressLabel, progress, progressText);
  const exportMessage = messageArea({ assertive: true });
  exportMessage.clear();
  const downloadBox = h('div', { class: 'download-box' });

  view.append(
    h('h1', {}, t('planner.title')),
    h('p', { class: 'lead' }, t('planner.intro')),
    form,
    rangeMessage.el,
    block('kpis', t('planner.kpisTitle'), 'block--wide'),
    h(
      'div',
      { class: 'dashboard-grid' },
      block('daily', t('planner.dailyTitle')),
      block('hourly', t('planner.hourlyTitle')),
      block('gender', t('planner.genderTitle')),
      block('age', t('planner.ageTitle')),
    ),
    block('stations', t('planner.stationsTitle'), 'block--wide'),
    block('od', t('planner.odTitle'), 'block--wide'),
    block('donors', t('planner.donorsTitle'), 'block--wide'),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'export-title', 'data-export': '' },
      h('h2', { id: 'export-title' }, t('planner.exportTitle')),
      h('p', {}, t('planner.exportIntro')),
      h('div', { class: 'actions' }, exportStart),
      progressBox,
      exportMessage.el,
      downloadBox,
    ),
  );

  let charts = [];
  let stationNames = new Map();
  let generation = 0;
  let disposed = false;

  function destroyCharts() {
    for (const c of charts) c.destroy();
    charts = [];
  }

  function show(key, ...children) {
    replace(blocks[key], ...children);
    blocks[key].setAttribute('aria-busy', 'false');
  }

  function showProblem(key, error) {
    const missing = error instanceof ApiError && error.status === 404;
    show(
      key,
      h(
        'p',
        { class: `message message--${missing ? 'info' : 'error'}`, 'data-unavailable': missing ? '' : undefined },
        missing ? t('planner.notAvailable') : errorMessage(error),
      ),
    );
  }

  const name = (id) => stationNames.get(id) ?? id.slice(0, 8);

  async function loadStations() {
    try {
      const list = await api.get('/api/v1/stations/all');
      const publicOnes = list.filter((s) => s.kind === 'station').sort((a, b) => a.name.localeCompare(b.name, 'es'));
      stationNames = new Map(list.map((s) => [s.id, s.name]));
      for (const s of publicOnes) station.input.append(h('option', { value: s.id }, s.name));
    } catch {
      // Names fall back to ids; the filter offers "all stations" only.
    }
  }

  async function load() {
    const range = { from: from.input.value, to: to.input.value, stationId: station.input.value };
    rangeMessage.clear();
    if (!range.from || !range.to || range.from > range.to) {
      rangeMessage.set(t('planner.rangeInvalid'), 'error');
      return;
    }
    const mine = ++generation;
    destroyCharts();
    for (const key of Object.keys(blocks)) {
      blocks[key].setAttribute('aria-busy', 'true');
      replace(blocks[key], h('p', { class: 'loading' }, t('planner.loading')));
    }
    const q = query(range);
    const get = (path) => api.get(`/api/v1/stats/${path}${q}`);
    const requests = {
      summary: get('summary'),
      daily: get('daily'),
      hourly: get('hourly'),
      stations: get('stations'),
      od: get('od'),
      donors: get('donors'),
    };
    for (const p of Object.values(requests)) p.catch(() => {}); // handled below, after Chart.js loads
    const Chart = await ensureChartJs().catch(() => null);
    const settle = async (keys, promise, draw) => {
      try {
        const data = await promise;
        if (mine !== generation || disposed) return;
        draw(data);
      } catch (error) {
        if (mine !== generation || disposed) return;
        for (const key of keys) showProblem(key, error);
      }
    };
    await Promise.all([
      settle(['kpis', 'gender', 'age'], requests.summary, (s) => {
        drawKpis(s);
        drawShares(Chart, s);
      }),
      settle(['daily'], requests.daily, (rows) => drawDaily(Chart, rows)),
      settle(['hourly'], requests.hourly, (rows) => drawHourly(Chart, rows)),
      settle(['stations'], requests.stations, drawStations),
      settle(['od'], requests.od, drawOd),
      settle(['donors'], requests.donors, drawDonors),
    ]);
  }

  function drawKpis(summary) {
    const cards = KPIS.filter(([key]) => summary[key] !== undefined).map(([key, fmt]) =>
      h(
        'div',
        { class: 'kpi', 'data-kpi': key },
        h('dt', {}, t(`planner.kpi.${key}`)),
        h('dd', {}, summary[key] === null ? '—' : fmt(summary[key])),
      ),
    );
    show('kpis', h('dl', { class: 'kpis' }, cards));
  }

  function drawShares(Chart, summary) {
    const genders = summary.tripsByGender ?? summary.genders ?? null;
    if (genders && Object.keys(genders).length && Chart) {
      const keys = Object.keys(genders);
      const c = chartBlock(Chart, {
        kind: 'doughnut',
        label: t('planner.genderTitle'),
        labels: keys.map((k) => t(`genders.${k}`)),
        datasets: [{ label: t('planner.colTrips'), data: keys.map((k) => genders[k]) }],
        headers: [t('register.gender')],
        valueFormat: formatInt,
      });
      charts.push(c);
      show(
        'gender',
        c.el,
        summary.womenShare !== undefined
          ? h('p', {}, t('planner.womenOnly', { share: formatShare(summary.womenShare) }))
          : null,
      );
    } else if (summary.womenShare !== undefined) {
      show(
        'gender',
        h('p', { class: 'big-number' }, t('planner.womenOnly', { share: formatShare(summary.womenShare) })),
      );
    } else show('gender', h('p', { class: 'empty' }, t('planner.noData')));

    const bands = Array.isArray(summary.ageBands)
      ? summary.ageBands
      : summary.ageBands
        ? Object.entries(summary.ageBands).map(([band, trips]) => ({ band, trips }))
        : [];
    if (bands.length && Chart) {
      const c = chartBlock(Chart, {
        kind: 'bar',
        label: t('planner.ageTitle'),
        labels: bands.map((b) => (b.band === 'unknown' ? '?' : b.band)),
        datasets: [{ label: t('planner.colTrips'), data: bands.map((b) => b.trips ?? b.count ?? 0) }],
        headers: [t('planner.ageTitle')],
        valueFormat: formatInt,
      });
      charts.push(c);
      show('age', c.el);
    } else show('age', h('p', { class: 'empty' }, t('planner.noData')));
  }

  function drawDaily(Chart, rows) {
    if (!rows.length) return show('daily', h('p', { class: 'empty' }, t('planner.noData')));
    if (!Chart) return show('daily', h('p', {}, rows.map((r) => `${r.date}: ${r.trips}`).join(' · ')));
    const c = chartBlock(Chart, {
      kind: 'line',
      label: t('planner.dailyTitle'),
      labels: rows.map((r) => r.date),
      datasets: [{ label: t('planner.dailyLabel'), data: rows.map((r) => r.trips) }],
      headers: [t('planner.date')],
      valueFormat: formatInt,
    });
    charts.push(c);
    show('daily', c.el);
  }

  function drawHourly(Chart, rows) {
    // Rows may come per date × hour × station: fold them into one profile of 24 local hours.
    const dep = new Array(24).fill(0);
    const arr = new Array(24).fill(0);
    const trips = new Array(24).fill(0);
    let hasDirections = false;
    for (const r of rows) {
      const hour = Number(r.hour);
      if (!(hour >= 0 && hour < 24)) continue;
      if (r.departures !== undefined || r.arrivals !== undefined) {
        hasDirections = true;
        dep[hour] += Number(r.departures ?? 0);
        arr[hour] += Number(r.arrivals ?? 0);
      } else trips[hour] += Number(r.trips ?? 0);
    }
    if (!rows.length) return show('hourly', h('p', { class: 'empty' }, t('planner.noData')));
    if (!Chart) return show('hourly', h('p', {}, t('planner.noData')));
    const labels = dep.map((_, i) => `${String(i).padStart(2, '0')}:00`);
    const datasets = hasDirections
      ? [
          { label: t('planner.hourlyDepartures'), data: dep },
          { label: t('planner.hourlyArrivals'), data: arr },
        ]
      : [{ label: t('planner.hourlyTrips'), data: trips }];
    const c = chartBlock(Chart, {
      kind: 'bar',
      label: t('planner.hourlyTitle'),
      labels,
      datasets,
      headers: [t('planner.hour')],
      valueFormat: formatInt,
    });
    charts.push(c);
    show('hourly', c.el);
  }

  function minutes(m) {
    return Number.isFinite(Number(m)) ? formatDuration(Number(m) * 60) : '—';
  }

  function drawStations(rows) {
    if (!rows.length) return show('stations', h('p', { class: 'empty' }, t('planner.noData')));
    const sorted = [...rows].sort((a, b) => (b.departures ?? 0) - (a.departures ?? 0));
    const table = h(
      'table',
      { class: 'table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            t('planner.colStation'),
            t('planner.colDepartures'),
            t('planner.colArrivals'),
            t('planner.colEmpty'),
            t('planner.colFull'),
            t('planner.colLongestEmpty'),
            t('planner.colLongestFull'),
          ].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        sorted.map((r) =>
          h(
            'tr',
            { 'data-station-id': r.stationId },
            h('th', { scope: 'row' }, r.name ?? name(r.stationId)),
            h('td', {}, formatInt(r.departures)),
            h('td', {}, formatInt(r.arrivals)),
            h('td', {}, r.emptyShare == null ? '—' : `${formatShare(r.emptyShare)} (${minutes(r.emptyMinutes)})`),
            h('td', {}, r.fullShare == null ? '—' : `${formatShare(r.fullShare)} (${minutes(r.fullMinutes)})`),
            h('td', {}, minutes(r.longestEmptySpellMinutes)),
            h('td', {}, minutes(r.longestFullSpellMinutes)),
          ),
        ),
      ),
    );
    show('stations', tableWrap(t('planner.stationsTitle'), table));
  }

  function drawOd(pairs) {
    if (!pairs.length) return show('od', h('p', { class: 'empty' }, t('planner.noData')));
    const ids = [...new Set(pairs.flatMap((p) => [p.fromStationId, p.toStationId]))].sort((a, b) =>
      name(a).localeCompare(name(b), 'es'),
    );
    const counts = new Map(pairs.map((p) => [`${p.fromStationId}>${p.toStationId}`, Number(p.trips)]));
    const max = Math.max(1, ...counts.values());
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
      h(
        'tbody',
        {},
        ids.map((fromId) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, name(fromId)),
            ids.map((toId) => {
              const n = counts.get(`${fromId}>${toId}`) ?? 0;
              const strength = n / max;
              // Light to dark green; text flips to white on dark cells for contrast.
              const style = n
                ? `background-color: hsl(160 60% ${Math.round(95 - strength * 70)}%); color: ${strength > 0.55 ? '#fff' : '#1b1b1b'}`
                : '';
              return h(
                'td',
                { style, title: t('planner.odCell', { from: name(fromId), to: name(toId), n }) },
                n ? formatInt(n) : '·',
              );
            }),
          ),
        ),
      ),
    );
    show('od', tableWrap(t('planner.odTitle'), table));
  }

  function drawDonors(rows) {
    if (!rows.length) return show('donors', h('p', { class: 'empty' }, t('planner.noData')));
    const table = h(
      'table',
      { class: 'table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [t('planner.colDonor'), t('planner.colBikes'), t('planner.colTrips'), t('planner.colTripsPerBike')].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, r.name ?? r.code),
            h('td', {}, formatInt(r.bikesInService ?? r.bikes)),
            h('td', {}, formatInt(r.trips)),
            h('td', {}, r.tripsPerBikePerDay == null ? '—' : formatDecimal(r.tripsPerBikePerDay)),
          ),
        ),
      ),
    );
    show('donors', tableWrap(t('planner.donorsTitle'), table));
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(apply, load);
  });

  // ---------- export ----------
  let exportId = null;
  let pollTimer = null;
  let lastExport = null;

  function stopPolling() {
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  function showExport(state, pct) {
    progressBox.hidden = false;
    const value = state === 'completed' ? 100 : Math.max(0, Math.min(100, Number(pct) || 0));
    progress.value = value;
    progress.setAttribute('aria-valuetext', `${value} %`);
    progressText.textContent = `${t(`planner.exportStates.${state}`)} · ${value} %`;
    progressBox.dataset.state = state;
  }

  function applyExport(view) {
    if (!view || view.id !== exportId) return;
    // Socket and polling race; never move backwards from a final state.
    if (lastExport && (lastExport.state === 'completed' || lastExport.state === 'failed')) return;
    lastExport = view;
    showExport(view.state, view.progress);
    if (view.state === 'completed') {
      stopPolling();
      sessionStorage.removeItem(EXPORT_KEY);
      exportMessage.set(t('planner.exportDone'), 'success');
      const btn = h(
        'button',
        { type: 'button', class: 'btn btn--primary', 'data-export-download': '' },
        t('planner.exportDownload'),
      );
      btn.addEventListener('click', () => void whileBusy(btn, () => download(view)));
      replace(downloadBox, btn);
      btn.focus();
    } else if (view.state === 'failed') {
      stopPolling();
      sessionStorage.removeItem(EXPORT_KEY);
      exportMessage.set(
        view.error ? `${t('planner.exportFailed')} (${view.error})` : t('planner.exportFailed'),
        'error',
      );
    }
  }

  async function poll() {
    if (!exportId || disposed) return;
    try {
      applyExport(await api.get(`/api/v1/exports/${exportId}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        stopPolling();
        sessionStorage.removeItem(EXPORT_KEY);
        exportMessage.set(error.missingRoute ? t('planner.exportNotAvailable') : errorMessage(error), 'error');
        return;
      }
      // A network blip: keep polling.
    }
    if (!disposed && lastExport?.state !== 'completed' && lastExport?.state !== 'failed')
      pollTimer = setTimeout(() => void poll(), POLL_MS);
  }

  function follow(id) {
    exportId = id;
    lastExport = null;
    sessionStorage.setItem(EXPORT_KEY, id);
    replace(downloadBox);
    showExport('queued', 0);
    stopPolling();
    void poll();
  }

  async function download(view) {
    try {
      const res = await api.get(view.downloadUrl ?? `/api/v1/exports/${view.id}/download`, {
        raw: true,
        headers: { Accept: 'application/zip' },
      });
      const blob = await res.blob();
      const disposition = res.headers.get('Content-Disposition') ?? '';
      const fileName =
        /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `metrobici-datos-${view.from ?? ''}_${view.to ?? ''}.zip`;
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: fileName, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      exportMessage.set(t('planner.exportDownloaded', { file: fileName }), 'success');
    } catch (error) {
      exportMessage.set(errorMessage(error), 'error');
    }
  }

  exportStart.addEventListener(
    'click',
    () =>
      void whileBusy(exportStart, async () => {
        exportMessage.clear();
        if (!from.input.value || !to.input.value || from.input.value > to.input.value) {
          exportMessage.set(t('planner.rangeInvalid'), 'error');
          return;
        }
        try {
          const created = await api.post('/api/v1/exports', { from: from.input.value, to: to.input.value });
          exportMessage.set(t('planner.exportStarted'), 'info');
          follow(created.id);
        } catch (error) {
          exportMessage.set(
            error instanceof ApiError && error.missingRoute ? t('planner.exportNotAvailable') : errorMessage(error),
            'error',
          );
        }
      }),
  );

  const operations = session.hasRole('planner', 'admin')
    ? connectOperations({ onExportProgress: (e) => applyExport(e && { ...lastExport, ...e, id: e.id ?? e.exportId }) })
    : null;

  void loadStations().then(() => {
    if (!disposed) void load();
  });
  const pending = sessionStorage.getItem(EXPORT_KEY);
  if (pending) follow(pending);

  return () => {
    disposed = true;
    stopPolling();
    destroyCharts();
    operations?.close();
  };
}
