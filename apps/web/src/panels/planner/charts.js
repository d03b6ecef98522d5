// The dashboard's charts (trips per day, per hour, by gender, by age band), each with its numbers
// as a table too (lib/charts.js). Without Chart.js the numbers still show as text where they can.
import { t } from '../../i18n/index.js';
import { chartBlock } from '../../lib/charts.js';
import { h } from '../../lib/dom.js';
import { formatInt, formatShare } from '../../lib/format.js';

/** `blocks`: the dashboard's blocks; `Chart`: Chart.js or null. Keeps what it draws, to destroy it. */
export function createCharts(blocks) {
  let charts = [];
  const draw = (Chart, spec) => {
    const c = chartBlock(Chart, { valueFormat: formatInt, ...spec });
    charts.push(c);
    return c.el;
  };

  function gender(Chart, summary) {
    const genders = summary.tripsByGender ?? summary.genders ?? null;
    const women =
      summary.womenShare !== undefined ? t('planner.womenOnly', { share: formatShare(summary.womenShare) }) : null;
    if (genders && Object.keys(genders).length && Chart) {
      const keys = Object.keys(genders);
      const el = draw(Chart, {
        kind: 'doughnut',
        label: t('planner.genderTitle'),
        labels: keys.map((k) => t(`genders.${k}`)),
        datasets: [{ label: t('planner.colTrips'), data: keys.map((k) => genders[k]) }],
        headers: [t('register.gender')],
      });
      blocks.show('gender', el, women ? h('p', {}, women) : null);
    } else if (women) blocks.show('gender', h('p', { class: 'big-number' }, women));
    else blocks.empty('gender');
  }

  function age(Chart, summary) {
    const bands = Array.isArray(summary.ageBands)
      ? summary.ageBands
      : summary.ageBands
        ? Object.entries(summary.ageBands).map(([band, trips]) => ({ band, trips }))
        : [];
    if (!bands.length || !Chart) return blocks.empty('age');
    const el = draw(Chart, {
      kind: 'bar',
      label: t('planner.ageTitle'),
      labels: bands.map((b) => (b.band === 'unknown' ? '?' : b.band)),
      datasets: [{ label: t('planner.colTrips'), data: bands.map((b) => b.trips ?? b.count ?? 0) }],
      headers: [t('planner.ageTitle')],
    });
    blocks.show('age', el);
  }

  function daily(Chart, rows) {
    if (!rows.length) return blocks.empty('daily');
    if (!Chart) return blocks.show('daily', h('p', {}, rows.map((r) => `${r.date}: ${r.trips}`).join(' · ')));
    const el = draw(Chart, {
      kind: 'line',
      label: t('planner.dailyTitle'),
      labels: rows.map((r) => r.date),
      datasets: [{ label: t('planner.dailyLabel'), data: rows.map((r) => r.trips) }],
      headers: [t('planner.date')],
    });
    blocks.show('daily', el);
  }

  function hourly(Chart, rows) {
    if (!rows.length) return blocks.empty('hourly');
    if (!Chart) return blocks.show('hourly', h('p', {}, t('planner.noData')));
    const profile = hourlyProfile(rows);
    const datasets = profile.hasDirections
      ? [
          { label: t('planner.hourlyDepartures'), data: profile.departures },
          { label: t('planner.hourlyArrivals'), data: profile.arrivals },
        ]
      : [{ label: t('planner.hourlyTrips'), data: profile.trips }];
    const el = draw(Chart, {
      kind: 'bar',
      label: t('planner.hourlyTitle'),
      labels: profile.trips.map((_, i) => `${String(i).padStart(2, '0')}:00`),
      datasets,
      headers: [t('planner.hour')],
    });
    blocks.show('hourly', el);
  }

  return {
    gender,
    age,
    daily,
    hourly,
    destroy() {
      for (const c of charts) c.destroy();
      charts = [];
    },
  };
}

/** Rows may come per date × hour × station: folded into one profile of 24 local hours. */
function hourlyProfile(rows) {
  const departures = new Array(24).fill(0);
  const arrivals = new Array(24).fill(0);
  const trips = new Array(24).fill(0);
  let hasDirections = false;
  for (const r of rows) {
    const hour = Number(r.hour);
    if (!(hour >= 0 && hour < 24)) continue;
    if (r.departures !== undefined || r.arrivals !== undefined) {
      hasDirections = true;
      departures[hour] += Number(r.departures ?? 0);
      arrivals[hour] += Number(r.arrivals ?? 0);
    } else trips[hour] += Number(r.trips ?? 0);
  }
  return { departures, arrivals, trips, hasDirections };
}
