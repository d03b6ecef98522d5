// Administration: stations (capacity, helmets, open/close, new), fleet (register, retire, CSV
// import through the API), staff accounts, and closing the pilot.
import { t } from '../i18n/index.js';
import { api, ApiError, errorMessage, fieldProblems, query } from '../lib/api.js';
import { field, h, messageArea, replace, tableWrap, whileBusy } from '../lib/dom.js';
import { bogotaToday, formatDateTime } from '../lib/format.js';
import { parseCsv } from '../lib/csv.js';

const SECTIONS = [
  ['estaciones', 'admin.stations', renderStations],
  ['flota', 'admin.fleet', renderFleet],
  ['personal', 'admin.staff', renderStaff],
  ['piloto', 'admin.pilot', renderPilot],
];
const BIKE_STATES = ['available', 'on_loan', 'maintenance', 'in_transit', 'missing', 'retired'];

export function renderAdmin(view, { path }) {
  const sub = path.split('/')[2] || 'estaciones';
  const section = SECTIONS.find(([slug]) => slug === sub) ?? SECTIONS[0];
  view.append(
    h('h1', {}, t('admin.title')),
    h(
      'nav',
      { class: 'subnav', 'aria-label': t('admin.sectionsLabel') },
      h(
        'ul',
        {},
        SECTIONS.map(([slug, key]) =>
          h(
            'li',
            {},
            h('a', { href: `#/admin/${slug}`, 'aria-current': slug === section[0] ? 'page' : undefined }, t(key)),
          ),
        ),
      ),
    ),
  );
  const body = h('div', { class: 'admin-body' });
  view.append(body);
  return section[2](body);
}

/** Shows server-side field problems next to the fields (by name) and returns the first field. */
function showFieldProblems(error, fields) {
  let first = null;
  for (const p of fieldProblems(error)) {
    const f = fields[p.field];
    if (f) {
      f.setError((p.problems ?? []).join(' '));
      first ??= f.input;
    }
  }
  first?.focus();
}

function clearFieldErrors(fields) {
  for (const f of Object.values(fields)) f.setError(null);
}

/** A row button that sends `request()`; then shows `done()` and reloads the list, or shows the error. */
function onClickRequest(button, { message, request, done, reload }) {
  button.addEventListener(
    'click',
    () =>
      void whileBusy(button, async () => {
        try {
          await request();
          message.set(done(), 'success');
          await reload();
        } catch (error) {
          message.set(errorMessage(error), 'error');
        }
      }),
  );
}

/**
 * A form that creates one thing: posts `payload()` to `url`, then shows `done(created)`, resets the
 * form and reloads the list; on failure shows the error and the server's problems by field.
 */
function onCreateSubmit(form, { button, fields, message, url, payload, done, reload }) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(button, async () => {
      clearFieldErrors(fields);
      message.clear();
      const body = payload();
      try {
        const created = await api.post(url, body);
        message.set(done(created), 'success');
        form.reset();
        await reload();
      } catch (error) {
        message.set(errorMessage(error), 'error');
        showFieldProblems(error, fields);
      }
    });
  });
}

async function loadAllStations() {
  return (await api.get('/api/v1/stations/all')).sort((a, b) =>
    a.kind === b.kind ? a.name.localeCompare(b.name, 'es') : a.kind === 'station' ? -1 : 1,
  );
}

// ---------------------------------------------------------------- stations
function renderStations(body) {
  const message = messageArea({ assertive: true });
  message.clear();
  const listBox = h('div', { 'data-admin-stations': '' });
  const f = {
    code: field({
      label: t('admin.code'),
      name: 'code',
      required: true,
      attrs: { maxlength: '32', autocapitalize: 'characters' },
    }),
    name: field({ label: t('admin.name'), name: 'name', required: true, attrs: { maxlength: '120' } }),
    address: field({ label: t('admin.address'), name: 'address', attrs: { maxlength: '200' } }),
    lat: field({
      label: t('admin.lat'),
      name: 'lat',
      type: 'number',
      required: true,
      attrs: { step: 'any', min: '-90', max: '90' },
    }),
    lon: field({
      label: t('admin.lon'),
      name: 'lon',
      type: 'number',
      required: true,
      attrs: { step: 'any', min: '-180', max: '180' },
    }),
    capacity: field({
      label: t('admin.capacity'),
      name: 'capacity',
      type: 'number',
      required: true,
      attrs: { min: '1', max: '500', step: '1' },
    }),
    helmetsAvailable: field({
      label: t('admin.helmets'),
      name: 'helmetsAvailable',
      type: 'number',
      attrs: { min: '0', max: '1000', step: '1' },
      value: '0',
    }),
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
  const near = h('input', { type: 'checkbox', id: 'new-station-near' });
  const createBtn = h('button', { type: 'submit', class: 'btn btn--primary' }, t('admin.create'));
  const createMessage = messageArea({ assertive: true });
  createMessage.clear();
  const form = h(
    'form',
    { class: 'form form--grid', novalidate: true },
    Object.values(f).map((x) => x.wrap),
    h('div', { class: 'check' }, near, h('label', { for: 'new-station-near' }, t('admin.nearMetrolinea'))),
    createMessage.el,
    h('div', { class: 'actions' }, createBtn),
  );

  body.append(
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'st-list' },
      h('h2', { id: 'st-list' }, t('admin.stations')),
      message.el,
      listBox,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'st-new' },
      h('h2', { id: 'st-new' }, t('admin.newStation')),
      form,
    ),
  );

  async function load() {
    try {
      const stations = await loadAllStations();
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
              t('admin.colCode'),
              t('admin.colName'),
              t('admin.colKind'),
              t('admin.colBikes'),
              t('admin.colCapacity'),
              t('admin.colHelmets'),
              t('admin.colState'),
              t('common.actions'),
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h('tbody', {}, stations.map(stationRow)),
      );
      replace(listBox, tableWrap(t('admin.stations'), table));
    } catch (error) {
      message.set(errorMessage(error), 'error');
    }
  }

  function stationRow(s) {
    const capacity = h('input', {
      type: 'number',
      min: '1',
      max: '500',
      step: '1',
      value: String(s.capacity),
      class: 'input--small',
      'aria-label': t('admin.capacityFor', { name: s.name }),
    });
    const helmets = h('input', {
      type: 'number',
      min: '0',
      max: '1000',
      step: '1',
      value: String(s.helmetsAvailable),
      class: 'input--small',
      'aria-label': t('admin.helmetsFor', { name: s.name }),
    });
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
      reload: load,
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
      reload: load,
    });
    return h(
      'tr',
      { 'data-station-id': s.id },
      h('td', {}, s.code),
      h('th', { scope: 'row' }, s.name),
      h('td', {}, s.kind === 'depot' ? t('admin.kindDepot') : t('admin.kindStation')),
      h('td', {}, `${s.bikesAvailable} / ${s.bikesDocked}`),
      h('td', {}, capacity),
      h('td', {}, helmets),
      h(
        'td',
        {},
        h(
          'span',
          { class: `badge badge--${s.active ? 'open' : 'closed'}` },
          s.active ? t('admin.active') : t('admin.inactive'),
        ),
      ),
      h('td', { class: 'cell-actions' }, save, ' ', toggle),
    );
  }

  onCreateSubmit(form, {
    button: createBtn,
    fields: f,
    message: createMessage,
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
    reload: load,
  });

  void load();
}

// ---------------------------------------------------------------- fleet
function renderFleet(body) {
  let stations = [];
  let donors = [];
  const stationName = (id) => stations.find((s) => s.id === id)?.name ?? '—';

  // Register
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
  const regBtn = h('button', { type: 'submit', class: 'btn btn--primary' }, t('admin.create'));
  const regMessage = messageArea({ assertive: true });
  regMessage.clear();
  const regForm = h(
    'form',
    { class: 'form form--inline', novalidate: true, 'data-register-bike': '' },
    reg.code.wrap,
    reg.donor.wrap,
    reg.stationId.wrap,
    h('div', { class: 'field field--button' }, regBtn),
  );

  // List
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
  const searchBtn = h('button', { type: 'submit', class: 'btn' }, t('admin.search'));
  const listForm = h(
    'form',
    { class: 'form form--inline', novalidate: true },
    filterStation.wrap,
    filterState.wrap,
    h('div', { class: 'field field--button' }, searchBtn),
  );
  const listMessage = messageArea({ assertive: true });
  listMessage.clear();
  const listBox = h('div', { 'data-admin-bikes': '' });

  // Import
  const file = field({ label: t('admin.importFile'), name: 'csv', type: 'file', attrs: { accept: '.csv,text/csv' } });
  const importBtn = h('button', { type: 'submit', class: 'btn' }, t('admin.importRun'));
  const importForm = h(
    'form',
    { class: 'form form--inline', novalidate: true },
    file.wrap,
    h('div', { class: 'field field--button' }, importBtn),
  );
  const importMessage = messageArea({ assertive: true });
  importMessage.clear();
  const importLog = h('ol', { class: 'import-log', 'aria-label': t('admin.importTitle') });

  body.append(
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'fl-reg' },
      h('h2', { id: 'fl-reg' }, t('admin.registerBike')),
      regForm,
      regMessage.el,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'fl-list' },
      h('h2', { id: 'fl-list' }, t('admin.bikesTitle')),
      listForm,
      listMessage.el,
      listBox,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'fl-imp' },
      h('h2', { id: 'fl-imp' }, t('admin.importTitle')),
      h('p', {}, t('admin.importIntro')),
      importForm,
      importMessage.el,
      importLog,
      h('p', { class: 'hint' }, t('admin.importCli')),
    ),
  );

  async function loadRefs() {
    try {
      [stations, donors] = await Promise.all([loadAllStations(), api.get('/api/v1/donors')]);
      replace(
        reg.donor.input,
        donors.map((d) => h('option', { value: d.code }, d.name)),
      );
      const stationOptions = stations.map((s) =>
        h('option', { value: s.id }, s.kind === 'depot' ? `${s.name} (${t('admin.kindDepot')})` : s.name),
      );
      replace(reg.stationId.input, stationOptions);
      replace(
        filterStation.input,
        h('option', { value: '' }, t('admin.any')),
        stations.map((s) => h('option', { value: s.id }, s.name)),
      );
    } catch (error) {
      regMessage.set(errorMessage(error), 'error');
    }
  }

  async function loadBikes() {
    listMessage.clear();
    try {
      const bikes = await api.get(
        `/api/v1/bikes${query({ stationId: filterStation.input.value, state: filterState.input.value, limit: 1000 })}`,
      );
      const table = h(
        'table',
        { class: 'table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('admin.colCode'), t('admin.donor'), t('admin.colState'), t('admin.station'), t('common.actions')].map(
              (c) => h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h('tbody', {}, bikes.flatMap(bikeRows)),
      );
      replace(
        listBox,
        h('p', { class: 'hint' }, t('admin.bikesShown', { n: bikes.length })),
        tableWrap(t('admin.bikesTitle'), table, { tall: true }),
      );
    } catch (error) {
      listMessage.set(errorMessage(error), 'error');
    }
  }

  function bikeRows(bike) {
    const formRow = h('tr', { class: 'row--form', hidden: true });
    const actions = h('td', { class: 'cell-actions' });
    if (bike.state !== 'retired' && bike.state !== 'on_loan') {
      const retire = h(
        'button',
        {
          type: 'button',
          class: 'btn btn--small btn--danger',
          'aria-expanded': 'false',
          'aria-label': t('admin.retireFor', { code: bike.code }),
        },
        t('admin.retire'),
      );
      retire.addEventListener('click', () => {
        const open = formRow.hidden;
        formRow.hidden = !open;
        retire.setAttribute('aria-expanded', String(open));
        if (open) formRow.querySelector('input')?.focus();
      });
      actions.append(retire);
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
        void whileBusy(confirm, async () => {
          if (reason.input.value.trim().length < 3) {
            reason.setError(t('common.requiredField'));
            reason.input.focus();
            return;
          }
          try {
            await api.post(`/api/v1/bikes/${bike.id}/retire`, { reason: reason.input.value.trim() });
            listMessage.set(t('admin.retired', { code: bike.code }), 'success');
            await loadBikes();
          } catch (error) {
            reason.setError(errorMessage(error));
          }
        });
      });
      formRow.append(h('td', { colspan: '5' }, form));
    }
    return [
      h(
        'tr',
        { 'data-bike-code': bike.code },
        h('th', { scope: 'row', class: 'code' }, bike.code),
        h('td', {}, bike.donorName || bike.donor),
        h('td', {}, t(`bikeStates.${bike.state}`)),
        h('td', {}, bike.stationId ? stationName(bike.stationId) : '—'),
        actions,
      ),
      formRow,
    ];
  }

  regForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(regBtn, async () => {
      clearFieldErrors(reg);
      regMessage.clear();
      const code = reg.code.input.value.trim().toUpperCase();
      if (!code) {
        reg.code.setError(t('common.requiredField'));
        reg.code.input.focus();
        return;
      }
      try {
        const bike = await api.post('/api/v1/bikes', {
          code,
          donor: reg.donor.input.value,
          stationId: reg.stationId.input.value,
        });
        regMessage.set(t('admin.bikeRegistered', { code: bike.code }), 'success');
        reg.code.input.value = '';
        reg.code.input.focus();
        await loadBikes();
      } catch (error) {
        regMessage.set(errorMessage(error), 'error');
        showFieldProblems(error, reg);
      }
    });
  });

  listForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(searchBtn, loadBikes);
  });

  importForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(importBtn, async () => {
      importMessage.clear();
      replace(importLog);
      const chosen = file.input.files?.[0];
      if (!chosen) {
        file.setError(t('common.requiredField'));
        file.input.focus();
        return;
      }
      file.setError(null);
      const { header, rows } = parseCsv(await chosen.text());
      const missing = ['code', 'donor_code', 'station_code'].filter((c) => !header.includes(c));
      if (missing.length) {
        importMessage.set(t('admin.importMissingColumns', { columns: missing.join(', ') }), 'error');
        return;
      }
      importMessage.set(t('admin.importPreview', { n: rows.length }), 'info');
      const byCode = new Map(stations.map((s) => [s.code, s.id]));
      let ok = 0;
      let failed = 0;
      // One row at a time: a clear per-line report, and no burst against the API.
      for (const { line, record } of rows) {
        let result;
        try {
          const stationId = byCode.get((record.station_code ?? '').trim().toUpperCase());
          if (!stationId) throw new ApiError({ status: 404, code: 'STATION_NOT_FOUND', message: '' });
          await api.post('/api/v1/bikes', {
            code: record.code.trim().toUpperCase(),
            donor: record.donor_code.trim(),
            stationId,
          });
          ok++;
          result = t('admin.importOk');
        } catch (error) {
          failed++;
          result = errorMessage(error);
        }
        importLog.append(
          h(
            'li',
            { class: result === t('admin.importOk') ? 'ok' : 'error' },
            t('admin.importRow', { line, result: `${record.code ?? ''} ${result}` }),
          ),
        );
      }
      importMessage.set(t('admin.importSummary', { ok, failed }), failed ? 'error' : 'success');
      await loadBikes();
    });
  });

  void loadRefs().then(loadBikes);
}

// ---------------------------------------------------------------- staff
function renderStaff(body) {
  let stations = [];
  const message = messageArea({ assertive: true });
  message.clear();
  const listBox = h('div', { 'data-admin-staff': '' });
  const f = {
    email: field({
      label: t('admin.email'),
      name: 'email',
      type: 'email',
      required: true,
      attrs: { autocomplete: 'off' },
    }),
    fullName: field({ label: t('admin.fullName'), name: 'fullName', attrs: { maxlength: '120' } }),
    role: field({
      label: t('admin.role'),
      name: 'role',
      type: 'select',
      options: ['operator', 'planner', 'admin'].map((r) => [r, t(`roles.${r}`)]),
      value: 'operator',
    }),
    password: field({
      label: t('admin.password'),
      name: 'password',
      type: 'password',
      required: true,
      attrs: { minlength: '10', autocomplete: 'new-password' },
    }),
    homeStationId: field({
      label: t('admin.homeStation'),
      name: 'homeStationId',
      type: 'select',
      options: [['', t('admin.noHomeStation')]],
      value: '',
    }),
  };
  const all = h('input', { type: 'checkbox', id: 'staff-all-stations' });
  const createBtn = h('button', { type: 'submit', class: 'btn btn--primary' }, t('admin.create'));
  const createMessage = messageArea({ assertive: true });
  createMessage.clear();
  const form = h(
    'form',
    { class: 'form form--grid', novalidate: true },
    Object.values(f).map((x) => x.wrap),
    h('div', { class: 'check' }, all, h('label', { for: 'staff-all-stations' }, t('admin.allStationsLabel'))),
    createMessage.el,
    h('div', { class: 'actions' }, createBtn),
  );
  body.append(
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'sf-list' },
      h('h2', { id: 'sf-list' }, t('admin.staffTitle')),
      message.el,
      listBox,
    ),
    h('section', { class: 'panel', 'aria-labelledby': 'sf-new' }, h('h2', { id: 'sf-new' }, t('admin.newStaff')), form),
  );

  async function load() {
    try {
      const [staff, st] = await Promise.all([api.get('/api/v1/staff'), stations.length ? stations : loadAllStations()]);
      if (!stations.length) {
        stations = st;
        replace(
          f.homeStationId.input,
          h('option', { value: '' }, t('admin.noHomeStation')),
          stations.map((s) => h('option', { value: s.id }, s.name)),
        );
      }
      const name = (id) => stations.find((s) => s.id === id)?.name ?? '—';
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
              t('admin.colEmail'),
              t('admin.colName'),
              t('admin.colRole'),
              t('admin.colStation'),
              t('admin.colActive'),
              t('common.actions'),
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          staff.map((u) => {
            const btn = h(
              'button',
              {
                type: 'button',
                class: `btn btn--small ${u.active ? 'btn--danger' : ''}`,
                'aria-label': t(u.active ? 'admin.deactivateFor' : 'admin.activateFor', { email: u.email }),
              },
              t(u.active ? 'admin.deactivate' : 'admin.activate'),
            );
            onClickRequest(btn, {
              message,
              request: () => api.post(`/api/v1/staff/${u.id}/${u.active ? 'deactivate' : 'activate'}`, {}),
              done: () => t('admin.staffUpdated', { email: u.email }),
              reload: load,
            });
            return h(
              'tr',
              {},
              h('th', { scope: 'row' }, u.email),
              h('td', {}, u.fullName),
              h('td', {}, t(`roles.${u.role}`)),
              h('td', {}, u.allStations ? t('admin.allStations') : u.homeStationId ? name(u.homeStationId) : '—'),
              h('td', {}, u.active ? t('common.yes') : t('common.no')),
              h('td', {}, btn),
            );
          }),
        ),
      );
      replace(listBox, tableWrap(t('admin.staffTitle'), table));
    } catch (error) {
      message.set(errorMessage(error), 'error');
    }
  }

  onCreateSubmit(form, {
    button: createBtn,
    fields: f,
    message: createMessage,
    url: '/api/v1/staff',
    payload: () => ({
      email: f.email.input.value.trim(),
      password: f.password.input.value,
      role: f.role.input.value,
      ...(f.fullName.input.value.trim() ? { fullName: f.fullName.input.value.trim() } : {}),
      ...(f.homeStationId.input.value ? { homeStationId: f.homeStationId.input.value } : {}),
      ...(all.checked ? { allStations: true } : {}),
    }),
    done: (created) => t('admin.staffCreated', { email: created.email }),
    reload: load,
  });

  void load();
}

// ---------------------------------------------------------------- pilot
function renderPilot(body) {
  const status = h('div', { class: 'pilot-status', 'data-pilot-status': '' });
  const message = messageArea({ assertive: true });
  message.clear();
  const endDate = field({
    label: t('admin.pilotEndDate'),
    name: 'endDate',
    type: 'date',
    value: bogotaToday(),
    attrs: { max: bogotaToday() },
  });
  const confirm = h('input', { type: 'checkbox', id: 'pilot-confirm' });
  const closeBtn = h('button', { type: 'submit', class: 'btn btn--danger' }, t('admin.pilotClose'));
  const closeForm = h(
    'form',
    { class: 'form', novalidate: true },
    endDate.wrap,
    h('div', { class: 'check' }, confirm, h('label', { for: 'pilot-confirm' }, t('admin.pilotConfirm'))),
    h('div', { class: 'actions' }, closeBtn),
  );
  const reason = field({
    label: t('admin.pilotReopenReason'),
    name: 'reason',
    attrs: { maxlength: '500', minlength: '3' },
  });
  const reopenBtn = h('button', { type: 'submit', class: 'btn' }, t('admin.pilotReopen'));
  const reopenForm = h(
    'form',
    { class: 'form', novalidate: true },
    reason.wrap,
    h('div', { class: 'actions' }, reopenBtn),
  );
  body.append(
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'pl-title' },
      h('h2', { id: 'pl-title' }, t('admin.pilotTitle')),
      h('p', {}, t('admin.pilotIntro')),
      status,
      message.el,
      closeForm,
      reopenForm,
    ),
  );

  function unavailable(error) {
    return error instanceof ApiError && error.missingRoute;
  }

  async function load() {
    try {
      const pilot = await api.get('/api/v1/pilot');
      const closed = pilot.status === 'closed';
      const state = closed
        ? t('admin.pilotClosedState')
        : pilot.running === false
          ? t('admin.pilotNotRunningYet')
          : t('admin.pilotRunning');
      replace(
        status,
        h(
          'p',
          {},
          h('span', { class: `badge badge--${closed ? 'closed' : 'open'}` }, t('admin.pilotStatus', { state })),
        ),
        closed && pilot.endDate
          ? h('p', {}, `${t('admin.pilotEndDate')}: ${pilot.endDate} · ${formatDateTime(pilot.closedAt)}`)
          : null,
        Array.isArray(pilot.openLoans) && pilot.openLoans.length
          ? h('p', {}, t('admin.pilotOpenLoans', { n: pilot.openLoans.length }))
          : null,
      );
      closeForm.hidden = closed;
      reopenForm.hidden = !closed;
    } catch (error) {
      if (unavailable(error)) {
        message.set(t('admin.pilotNotAvailable'), 'info');
        closeForm.hidden = true;
        reopenForm.hidden = true;
      } else message.set(errorMessage(error), 'error');
    }
  }

  closeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(closeBtn, async () => {
      message.clear();
      if (!confirm.checked) {
        message.set(t('admin.pilotNeedConfirm'), 'error');
        confirm.focus();
        return;
      }
      try {
        await api.post('/api/v1/pilot/close', { endDate: endDate.input.value, confirm: true });
        message.set(t('admin.pilotClosed'), 'success');
        await load();
      } catch (error) {
        message.set(unavailable(error) ? t('admin.pilotNotAvailable') : errorMessage(error), 'error');
      }
    });
  });

  reopenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(reopenBtn, async () => {
      message.clear();
      if (reason.input.value.trim().length < 3) {
        reason.setError(t('common.requiredField'));
        reason.input.focus();
        return;
      }
      try {
        await api.post('/api/v1/pilot/reopen', { reason: reason.input.value.trim() });
        message.set(t('admin.pilotReopened'), 'success');
        reopenForm.reset();
        await load();
      } catch (error) {
        message.set(unavailable(error) ? t('admin.pilotNotAvailable') : errorMessage(error), 'error');
      }
    });
  });

  void load();
}
