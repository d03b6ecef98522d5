// The bikes in this station's rack: state, donor, and what the operator can do with each
// (report damage or mark repaired, pick up for rebalancing).
import { t } from '../../i18n/index.js';
import { api, errorMessage, query } from '../../lib/api.js';
import { dataTable, h, panel, replace, tableWrap } from '../../lib/dom.js';
import { feedbackArea, sendOnClick } from '../../lib/request.js';
import { damageRow, repairButton, reportDamageButton } from './damage.js';

const COLUMNS = ['operator.colCode', 'operator.colDonor', 'operator.colState', 'common.actions'];

/** `pickUp(code)`: the rebalancing panel's pick-up request (it says the outcome in its own panel). */
export function rackPanel(ctx, { pickUp }) {
  const box = h('div', { 'data-bikes-here': '' });
  const message = feedbackArea();

  function moveButton(bike) {
    const button = h(
      'button',
      { type: 'button', class: 'btn btn--small btn--ghost', 'aria-label': t('operator.moveFor', { bike: bike.code }) },
      t('operator.move'),
    );
    sendOnClick(button, pickUp(bike.code));
    return button;
  }

  function bikeRows(bike) {
    const formRow = damageRow(ctx, bike, { message, columns: COLUMNS.length });
    const actions = h('td', { class: 'cell-actions' });
    if (bike.state === 'available') actions.append(reportDamageButton(bike, formRow), ' ', moveButton(bike));
    if (bike.state === 'maintenance') actions.append(repairButton(ctx, bike, message), ' ', moveButton(bike));
    const row = h(
      'tr',
      { 'data-bike-code': bike.code },
      h('th', { scope: 'row', class: 'code' }, bike.code),
      h('td', {}, bike.donorName || bike.donor),
      h(
        'td',
        {},
        h('span', { class: `badge badge--bike-${bike.state}` }, t(`bikeStates.${bike.state}`)),
        bike.note ? h('span', { class: 'muted' }, ` ${bike.note}`) : null,
      ),
      actions,
    );
    return [row, formRow];
  }

  ctx.onRefresh(async () => {
    const id = ctx.stationId;
    try {
      const bikes = await api.get(`/api/v1/bikes${query({ stationId: id })}`);
      if (id !== ctx.stationId) return;
      if (bikes.length === 0) {
        replace(box, h('p', { class: 'empty' }, t('operator.bikesEmpty')));
        return;
      }
      const table = dataTable(
        COLUMNS.map((key) => t(key)),
        bikes.flatMap(bikeRows),
      );
      replace(box, tableWrap(t('operator.bikesTitle'), table, { tall: true }));
    } catch (error) {
      message.set(errorMessage(error), 'error');
    }
  });

  return panel('bikes-title', t('operator.bikesTitle'), message.el, box);
}
