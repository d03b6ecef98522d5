// Incidents at a station: a fall, an injury, a theft, vandalism. Recorded with the station, the
// bike (optional) and what happened; an injury alerts the admins at once (server side). Below the
// form, the incidents the staff member may see (admins: all; operators: their stations').
import { t } from '../../i18n/index.js';
import { api, errorMessage, query } from '../../lib/api.js';
import { dataTable, field, h, panel, replace, tableWrap } from '../../lib/dom.js';
import { formatDateTime } from '../../lib/format.js';
import { feedbackArea, refuse, send } from '../../lib/request.js';
import { normaliseCode, STATION_KEY } from './context.js';
import { bikeCodeField, stationSelect } from './correction-shared.js';

export const INCIDENT_TYPES = ['accident', 'injury', 'theft', 'vandalism', 'other'];

/** `ctx`: `{ stations, stationName(id) }`. */
export function incidentsPanel(ctx) {
  const type = field({
    label: t('incidents.type'),
    name: 'incidentType',
    type: 'select',
    options: INCIDENT_TYPES.map((k) => [k, t(`incidents.types.${k}`)]),
    value: 'accident',
    attrs: { 'data-incident-type': '' },
  });
  const station = stationSelect('incidentStation', t('incidents.station'), ctx.stations, {
    selected: sessionStorage.getItem(STATION_KEY),
    publicOnly: true,
  });
  const bike = bikeCodeField('incidentBike', `${t('operator.bikeCode')} ${t('common.optional')}`);
  const description = field({
    label: t('incidents.description'),
    name: 'incidentDescription',
    type: 'textarea',
    attrs: { rows: '3', maxlength: '2000', 'data-incident-description': '' },
  });
  const message = feedbackArea({ incidentMessage: '' });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary' }, t('incidents.submit'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-labelledby': 'incidents-title', 'data-incident-form': '' },
    h('div', { class: 'fieldset--inline' }, type.wrap, station.wrap, bike.wrap),
    description.wrap,
    message.el,
    h('div', { class: 'actions' }, submit),
  );
  const box = h('div', { 'data-incidents': '' });

  async function load() {
    try {
      const rows = await api.get(`/api/v1/incidents${query({ limit: 50 })}`);
      const items = Array.isArray(rows) ? rows : (rows?.incidents ?? []);
      if (items.length === 0) {
        replace(box, h('p', { class: 'empty' }, t('incidents.empty')));
        return;
      }
      const columns = [
        t('incidents.colWhen'),
        t('incidents.type'),
        t('incidents.station'),
        t('operator.colBike'),
        t('incidents.description'),
      ];
      replace(
        box,
        tableWrap(
          t('incidents.listTitle'),
          dataTable(
            columns,
            items.map((i) =>
              h(
                'tr',
                { 'data-incident-id': i.id, class: i.type === 'injury' ? 'row--warn' : '' },
                h('td', {}, formatDateTime(i.occurredAt ?? i.createdAt)),
                h('th', { scope: 'row' }, t(`incidents.types.${i.type}`)),
                h('td', {}, ctx.stationName(i.stationId)),
                h('td', { class: 'code' }, i.bikeCode ?? '—'),
                h('td', {}, i.description),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      replace(box, h('p', { class: 'message message--error' }, errorMessage(error)));
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(submit, {
      message,
      request: () => {
        const text = description.input.value.trim();
        if (text.length < 3) refuse(t('incidents.needDescription'), description.input);
        const code = normaliseCode(bike.input.value);
        return api.post('/api/v1/incidents', {
          type: type.input.value,
          stationId: station.input.value,
          ...(code ? { bikeCode: code } : {}),
          description: text,
        });
      },
      success: (incident) =>
        t(incident?.type === 'injury' ? 'incidents.savedInjury' : 'incidents.saved', {
          type: t(`incidents.types.${incident?.type ?? type.input.value}`),
        }),
      after: () => {
        form.reset();
        type.input.focus();
        void load();
      },
    });
  });
  void load();

  return panel('incidents-title', t('incidents.title'), form, h('h3', {}, t('incidents.listTitle')), box);
}
