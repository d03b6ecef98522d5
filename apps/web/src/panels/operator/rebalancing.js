// Rebalancing: pick a bike up here for another station, and drop here the bikes in transit.
import { t } from '../../i18n/index.js';
import { api, errorMessage, query } from '../../lib/api.js';
import { dataTable, field, h, panel, replace, tableWrap } from '../../lib/dom.js';
import { formatDateTime } from '../../lib/format.js';
import { feedbackArea, refuse, sendOnClick, sendOnSubmit } from '../../lib/request.js';
import { normaliseCode } from './context.js';

const COLUMNS = ['operator.colBike', 'operator.colFrom', 'operator.colPickedUp', 'common.actions'];

export function rebalancingPanel(ctx) {
  const message = feedbackArea();
  const box = h('div', { 'data-moves': '' });
  const code = field({
    label: t('operator.pickUpLabel'),
    name: 'pickUpBikeCode',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '32' },
  });
  const submit = h('button', { type: 'submit', class: 'btn' }, t('operator.pickUp'));
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true, 'data-pickup-form': '' },
    code.wrap,
    h('div', { class: 'field field--button' }, submit),
  );

  /** Send-options of the pick-up of `bikeCode` (also used by the rack's "Trasladar" buttons). */
  function pickUp(bikeCode) {
    return {
      message,
      request: () => api.post('/api/v1/rebalancing', { bikeCode, fromStationId: ctx.stationId }),
      success: (move) =>
        t('operator.pickedUp', { bike: move.bikeCode || bikeCode, station: ctx.stationName(move.fromStationId) }),
      after: ctx.scheduleRefresh,
    };
  }

  let typed = null;
  sendOnSubmit(form, submit, {
    message,
    request: () => {
      typed = normaliseCode(code.input.value);
      if (!typed) refuse(t('operator.needBike'), code.input);
      return pickUp(typed).request();
    },
    success: (move) => pickUp(typed).success(move),
    after: () => {
      form.reset();
      ctx.scheduleRefresh();
    },
  });

  function moveRow(move) {
    const button = h(
      'button',
      { type: 'button', class: 'btn btn--small', 'aria-label': t('operator.dropFor', { bike: move.bikeCode }) },
      t('operator.drop'),
    );
    sendOnClick(button, {
      message,
      request: () => api.post(`/api/v1/rebalancing/${move.id}/drop`, { toStationId: ctx.stationId }),
      success: () => t('operator.dropped', { bike: move.bikeCode, station: ctx.stationName(ctx.stationId) }),
      after: ctx.scheduleRefresh,
    });
    return h(
      'tr',
      { 'data-move-id': move.id },
      h('th', { scope: 'row', class: 'code' }, move.bikeCode),
      h('td', {}, ctx.stationName(move.fromStationId)),
      h('td', {}, formatDateTime(move.pickedUpAt)),
      h('td', { class: 'cell-actions' }, button),
    );
  }

  ctx.onRefresh(async () => {
    try {
      const moves = await api.get(`/api/v1/rebalancing${query({ state: 'in_transit' })}`);
      if (moves.length === 0) {
        replace(box, h('p', { class: 'empty' }, t('operator.inTransitEmpty')));
        return;
      }
      const table = dataTable(
        COLUMNS.map((key) => t(key)),
        moves.map(moveRow),
      );
      replace(box, tableWrap(t('operator.inTransitTitle'), table));
    } catch (error) {
      message.set(errorMessage(error), 'error');
    }
  });

  const el = panel(
    'moves-title',
    t('operator.rebalancingTitle'),
    form,
    message.el,
    h('h3', {}, t('operator.inTransitTitle')),
    box,
  );
  return { el, pickUp };
}
