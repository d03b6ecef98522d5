// Stations: the list (capacity and helmets editable in place, open/close) and a new station.
import { t } from '../../i18n/index.js';
import { api, errorMessage } from '../../lib/api.js';
import { dataTable, field, h, panel, replace, tableWrap } from '../../lib/dom.js';
import { feedbackArea } from '../../lib/request.js';
import { loadAllStations, onClickRequest, onCreateSubmit } from './forms.js';

const COLUMNS = [
  'admin.colCode',
  'admin.colName',
  'admin.colKind',
  'admin.colBikes',
  'admin.colCapacity',
  'admin.colHelmets',
  'admin.colState',
  'common.actions',
];

function newStationFields() {
  const number = (label, name, attrs, extra = {}) => field({ label: t(label), name, type: 'number', attrs, ...extra });
  return {
    code: field({
      label: t('admin.code'),
      name: 'code',
      required: true,
      attrs: { maxlength: '32', autocapitalize: 'characters' },
    }),
    name: field({ label: t('admin.name'), name: 'name', required: true, attrs: { maxlength: '120' } }),
    address: field({ label: t('admin.address'), name: 'address', attrs: { maxlength: '200' } }),
    lat: number('admin.lat', 'lat', { step: 'any', min: '-90', max: '90' }, { required: true }),
    lon: number('admin.lon', 'lon', { step: 'any', min: '-180', max: '180' }, { required: true }),
    capacity: number('admin.capacity', 'capacity', { min: '1', max: '500', step: '1' }, { required: true }),
    helmetsAvailable: number('admin.helmets', 'helmetsAvailable', { min: '0', max: '1000', step: '1' }, { value: '0' }),
    kind: field({
      label: t('admin.kind'),
      name: 'kind',
      type: 'select',
      options: [
        ['station', t('admin.kindStation')],
        ['depot', t('admin.kindDepot')],
      ],
      value: 'station',
    }),
  };
}

function newStationForm(reload) {
  const f = newStationFields();
  const near = h('input', { type: 'checkbox', id: 'new-station-near' });
  const button = h('button', { type: 'submit', class: 'btn btn--primary' }, t('admin.create'));
  const message = feedbackArea();
  const form = h(
    'form',
    { class: 'form form--grid', novalidate: true },
    Object.values(f).map((x) => x.wrap),
    h('div', { class: 'check' }, near, h('label', { for: 'new-station-near' }, t('admin.nearMetrolinea'))),
    message.el,
    h('div', { class: 'actions' }, button),
  );
  onCreateSubmit(form, {
    button,
    fields: f,
    message,
    url: '/api/v1/stations',
    payload: () => ({
      code: f.code.input.value.trim().toUpperCase(),
      name: f.name.input.value.trim(),
      address: f.address.input.value.trim(),
      lat: Number(f.lat.input.value),
      lon: Number(f.lon.input.value),
      capacity: Number(f.capacity.input.value),
      helmetsAvailable: Number(f.helmetsAvailable.input.value || 0),
      kind: f.kind.input.value,
      nearMetrolinea: near.checked,
    }),
    done: (created) => t('admin.created', { name: created.name }),
    reload,
  });
  return form;
}

function stationRow(s, { message, reload }) {
  const small = (value, min, max, label) =>
    h('input', {
      type: 'number',
      min,
      max,
      step: '1',
      value: String(value),
      class: 'input--small',
      'aria-label': label,
    });
  const capacity = small(s.capacity, '1', '500', t('admin.capacityFor', { name: s.name }));
  const helmets = small(s.helmetsAvailable, '0', '1000', t('admin.helmetsFor', { name: s.name }));
  const save = h(
    'button',
    { type: 'button', class: 'btn btn--small', 'aria-label': t('admin.saveFor', { name: s.name }) },
    t('common.save'),
  );
  onClickRequest(save, {
    message,
    request: () =>
      api.patch(`/api/v1/stations/${s.id}`, {
        capacity: Number(capacity.value),
        helmetsAvailable: Number(helmets.value),
      }),
    done: () => t('admin.saved', { name: s.name }),
    reload,
  });
  const toggle = h(
    'button',
    {
      type: 'button',
      class: `btn btn--small ${s.active ? 'btn--danger' : ''}`,
      'aria-label': t(s.active ? 'admin.closeStation' : 'admin.openStation', { name: s.name }),
    },
    t(s.active ? 'admin.close' : 'admin.open'),
  );
  onClickRequest(toggle, {
    message,
    request: () => api.post(`/api/v1/stations/${s.id}/${s.active ? 'close' : 'open'}`, {}),
    done: () => t(s.active ? 'admin.stationClosed' : 'admin.stationOpened', { name: s.name }),
    reload,
  });
  const state = h(
    'span',
    { class: `badge badge--${s.active ? 'open' : 'closed'}` },
    s.active ? t('admin.active') : t('admin.inactive'),
  );
  return h(
    'tr',
    { 'data-station-id': s.id },
    h('td', {}, s.code),
    h('th', { scope: 'row' }, s.name),
    h('td', {}, s.kind === 'depot' ? t('admin.kindDepot') : t('admin.kindStation')),
    h('td', {}, `${s.bikesAvailable} / ${s.bikesDocked}`),
    h('td', {}, capacity),
    h('td', {}, helmets),
    h('td', {}, state),
    h('td', { class: 'cell-actions' }, save, ' ', toggle),
  );
}

export function renderStations(body) {
  const message = feedbackArea();
  const listBox = h('div', { 'data-admin-stations': '' });

  async function load() {
    try {
      const stations = await loadAllStations();
      const rows = stations.map((s) => stationRow(s, { message, reload: load }));
      replace(
        listBox,
        tableWrap(
          t('admin.stations'),
          dataTable(
            COLUMNS.map((key) => t(key)),
            rows,
          ),
        ),
      );
    } catch (error) {
      message.set(errorMessage(error), 'error');
    }
  }

  body.append(
    panel('st-list', t('admin.stations'), message.el, listBox),
    panel('st-new', t('admin.newStation'), newStationForm(load)),
  );
  void load();
}
