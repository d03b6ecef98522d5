// The station at a glance: bikes, free spaces, helmets, open or closed — live.
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { h, panel, replace } from '../../lib/dom.js';

export function glancePanel(ctx) {
  const glance = h('dl', { class: 'glance', 'data-glance': '' });
  const status = h('p', { class: 'glance__status' });
  const number = (label, key, value) => h('div', {}, h('dt', {}, label), h('dd', { 'data-field': key }, String(value)));

  ctx.onCountsChanged((c) => {
    replace(
      glance,
      number(t('operator.bikesAvailable'), 'bikes', c.bikesAvailable),
      number(t('operator.spaces'), 'spaces', c.spaces),
      number(t('operator.helmets'), 'helmets', c.helmets),
    );
    status.textContent = !c.active ? t('operator.inactive') : c.open ? t('operator.openNow') : t('operator.closedNow');
    status.className = `glance__status badge badge--${c.active && c.open ? 'open' : 'closed'}`;
  });

  ctx.onRefresh(async () => {
    try {
      ctx.stations = await api.get('/api/v1/stations/all');
      ctx.countsChanged();
    } catch {
      // The live counts still show; the next refresh will try again.
    }
  });

  return panel('glance-title', t('operator.glance'), status, glance);
}
