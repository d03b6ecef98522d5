// Fleet: register a bike, the bike list (filters; retire with a reason) and the CSV import.
import { t } from '../../i18n/index.js';
import { api, errorMessage, query } from '../../lib/api.js';
import { dataTable, field, h, panel, replace, tableWrap } from '../../lib/dom.js';
import { feedbackArea, fieldFeedback, refuse, send, sendOnSubmit } from '../../lib/request.js';
import { importPanel } from './fleet-import.js';
import { clearFieldErrors, loadAllStations, showFieldProblems } from './forms.js';

const BIKE_STATES = ['available', 'on_loan', 'maintenance', 'in_transit', 'missing', 'retired'];
const COLUMNS = ['admin.colCode', 'admin.donor', 'admin.colState', 'admin.station', 'common.actions'];

function registerForm(reload) {
  const reg = {
    code: field({
      label: t('admin.bikeCode'),
      name: 'code',
      required: true,
      attrs: { maxlength: '32', autocapitalize: 'characters', spellcheck: 'false' },
    }),
    donor: field({ label: t('admin.donor'), name: 'donor', type: 'select', required: true, options: [] }),
    stationId: field({ label: t('admin.station'), name: 'stationId', type: 'select', required: true, options: [] }),
  };
  const button = h('button', { type: 'submit', class: 'btn btn--primary' }, t('admin.create'));
  const message = feedbackArea();
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true, 'data-register-bike': '' },
    reg.code.wrap,
    reg.donor.wrap,
    reg.stationId.wrap,
    h('div', { class: 'field field--button' }, button),
  );
  sendOnSubmit(form, button, {
    message,
    request: () => {
      clearFieldErrors(reg);
      const code = reg.code.input.value.trim().toUpperCase();
      if (!code) {
        reg.code.setError(t('common.requiredField'));
        reg.code.input.focus();
        refuse('');
      }
      return api.post('/api/v1/bikes', { code, donor: reg.donor.input.value, stationId: reg.stationId.input.value });
    },
    success: (bike) => t('admin.bikeRegistered', { code: bike.code }),
    after: async () => {
      reg.code.input.value = '';
      reg.code.input.focus();
      await reload();
    },
    onError: (error) => showFieldProblems(error, reg),
  });
  const el = panel('fl-reg', t('admin.registerBike'), form, message.el);
  return { el, reg, message };
}

function retireRow(bike, { message, reload }) {
  const row = h('tr', { class: 'row--form', hidden: true });
  const reason = field({
    label: t('admin.retireReason'),
    name: `reason-${bike.id}`,
    attrs: { maxlength: '500', minlength: '3' },
  });
  const confirm = h('button', { type: 'submit', class: 'btn btn--small btn--danger' }, t('common.confirm'));
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true },
    reason.wrap,
    h('div', { class: 'field field--button' }, confirm),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void send(confirm, {
      errorsTo: fieldFeedback(reason),
      request: () => {
        const text = reason.input.value.trim();
        if (text.length < 3) refuse(t('common.requiredField'), reason.input);
        return api.post(`/api/v1/bikes/${bike.id}/retire`, { reason: text });
      },
      after: async () => {
        message.set(t('admin.retired', { code: bike.code }), 'success');
        await reload();
      },
    });
  });
  row.append(h('td', { colspan: String(COLUMNS.length) }, form));
  return row;
}

function retireButton(bike, row) {
  const button = h(
    'button',
    {
      type: 'button',
      class: 'btn btn--small btn--danger',
      'aria-expanded': 'false',
      'aria-label': t('admin.retireFor', { code: bike.code }),
    },
    t('admin.retire'),
  );
  button.addEventListener('click', () => {
    const open = row.hidden;
    row.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) row.querySelector('input')?.focus();
  });
  return button;
}

function bikeList(stationName) {
  const filterStation = field({
    label: t('admin.filterStation'),
    name: 'filterStation',
    type: 'select',
    options: [['', t('admin.any')]],
    value: '',
  });
  const filterState = field({
    label: t('admin.filterState'),
    name: 'filterState',
    type: 'select',
    options: [['', t('admin.any')], ...BIKE_STATES.map((s) => [s, t(`bikeStates.${s}`)])],
    value: '',
  });
  const search = h('button', { type: 'submit', class: 'btn' }, t('admin.search'));
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true },
    filterStation.wrap,
    filterState.wrap,
    h('div', { class: 'field field--button' }, search),
  );
  const message = feedbackArea();
  const box = h('div', { 'data-admin-bikes': '' });

  function bikeRows(bike) {
    const actions = h('td', { class: 'cell-actions' });
    const formRow =
      bike.state !== 'retired' && bike.state !== 'on_loan' ? retireRow(bike, { message, reload: load }) : null;
    if (formRow) actions.append(retireButton(bike, formRow));
    const row = h(
      'tr',
      { 'data-bike-code': bike.code },
      h('th', { scope: 'row', class: 'code' }, bike.code),
      h('td', {}, bike.donorName || bike.donor),
      h('td', {}, t(`bikeStates.${bike.state}`)),
      h('td', {}, bike.stationId ? stationName(bike.stationId) : '—'),
      actions,
    );
    return [row, formRow ?? h('tr', { class: 'row--form', hidden: true })];
  }

  async function load() {
    message.clear();
    try {
      const q = query({ stationId: filterStation.input.value, state: filterState.input.value, limit: 1000 });
      const bikes = await api.get(`/api/v1/bikes${q}`);
      replace(
        box,
        h('p', { class: 'hint' }, t('admin.bikesShown', { n: bikes.length })),
        tableWrap(
          t('admin.bikesTitle'),
          dataTable(
            COLUMNS.map((key) => t(key)),
            bikes.flatMap(bikeRows),
          ),
          { tall: true },
        ),
      );
    } catch (error) {
      message.set(errorMessage(error), 'error');
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void send(search, { request: load });
  });
  const el = panel('fl-list', t('admin.bikesTitle'), form, message.el, box);
  return { el, load, filterStation };
}

export function renderFleet(body) {
  let stations = [];
  const stationName = (id) => stations.find((s) => s.id === id)?.name ?? '—';
  const list = bikeList(stationName);
  const register = registerForm(list.load);
  const imports = importPanel({
    stationsByCode: () => new Map(stations.map((s) => [s.code, s.id])),
    reload: list.load,
  });
  body.append(register.el, list.el, imports);

  async function loadRefs() {
    try {
      const [all, donors] = await Promise.all([loadAllStations(), api.get('/api/v1/donors')]);
      stations = all;
      replace(
        register.reg.donor.input,
        donors.map((d) => h('option', { value: d.code }, d.name)),
      );
      replace(
        register.reg.stationId.input,
        stations.map((s) =>
          h('option', { value: s.id }, s.kind === 'depot' ? `${s.name} (${t('admin.kindDepot')})` : s.name),
        ),
      );
      replace(
        list.filterStation.input,
        h('option', { value: '' }, t('admin.any')),
        stations.map((s) => h('option', { value: s.id }, s.name)),
      );
    } catch (error) {
      register.message.set(errorMessage(error), 'error');
    }
  }
  void loadRefs().then(list.load);
}
