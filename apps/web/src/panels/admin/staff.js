// Staff accounts: the list (activate/deactivate) and a new account.
import { t } from '../../i18n/index.js';
import { api, errorMessage } from '../../lib/api.js';
import { dataTable, field, h, panel, replace, tableWrap } from '../../lib/dom.js';
import { feedbackArea } from '../../lib/request.js';
import { loadAllStations, onClickRequest, onCreateSubmit } from './forms.js';

const ROLES = ['operator', 'planner', 'admin'];
const COLUMNS = [
  'admin.colEmail',
  'admin.colName',
  'admin.colRole',
  'admin.colStation',
  'admin.colActive',
  'common.actions',
];

function staffFields() {
  return {
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
      options: ROLES.map((r) => [r, t(`roles.${r}`)]),
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
}

function newStaffForm(f, reload) {
  const all = h('input', { type: 'checkbox', id: 'staff-all-stations' });
  const button = h('button', { type: 'submit', class: 'btn btn--primary' }, t('admin.create'));
  const message = feedbackArea();
  const form = h(
    'form',
    { class: 'form form--grid', novalidate: true },
    Object.values(f).map((x) => x.wrap),
    h('div', { class: 'check' }, all, h('label', { for: 'staff-all-stations' }, t('admin.allStationsLabel'))),
    message.el,
    h('div', { class: 'actions' }, button),
  );
  const optional = (name) => f[name].input.value.trim();
  onCreateSubmit(form, {
    button,
    fields: f,
    message,
    url: '/api/v1/staff',
    payload: () => ({
      email: f.email.input.value.trim(),
      password: f.password.input.value,
      role: f.role.input.value,
      ...(optional('fullName') ? { fullName: optional('fullName') } : {}),
      ...(f.homeStationId.input.value ? { homeStationId: f.homeStationId.input.value } : {}),
      ...(all.checked ? { allStations: true } : {}),
    }),
    done: (created) => t('admin.staffCreated', { email: created.email }),
    reload,
  });
  return form;
}

function staffRow(u, { message, reload, stationName }) {
  const button = h(
    'button',
    {
      type: 'button',
      class: `btn btn--small ${u.active ? 'btn--danger' : ''}`,
      'aria-label': t(u.active ? 'admin.deactivateFor' : 'admin.activateFor', { email: u.email }),
    },
    t(u.active ? 'admin.deactivate' : 'admin.activate'),
  );
  onClickRequest(button, {
    message,
    request: () => api.post(`/api/v1/staff/${u.id}/${u.active ? 'deactivate' : 'activate'}`, {}),
    done: () => t('admin.staffUpdated', { email: u.email }),
    reload,
  });
  const station = u.allStations ? t('admin.allStations') : u.homeStationId ? stationName(u.homeStationId) : '—';
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, u.email),
    h('td', {}, u.fullName),
    h('td', {}, t(`roles.${u.role}`)),
    h('td', {}, station),
    h('td', {}, u.active ? t('common.yes') : t('common.no')),
    h('td', {}, button),
  );
}

export function renderStaff(body) {
  let stations = [];
  const message = feedbackArea();
  const listBox = h('div', { 'data-admin-staff': '' });
  const f = staffFields();
  const stationName = (id) => stations.find((s) => s.id === id)?.name ?? '—';

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
      const rows = staff.map((u) => staffRow(u, { message, reload: load, stationName }));
      replace(
        listBox,
        tableWrap(
          t('admin.staffTitle'),
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
    panel('sf-list', t('admin.staffTitle'), message.el, listBox),
    panel('sf-new', t('admin.newStaff'), newStaffForm(f, load)),
  );
  void load();
}
