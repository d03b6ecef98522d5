// The station operator's screen: the station at a glance, check-out, return, renewal, the bikes in
// the rack (damage, repair, rebalancing) and live alerts. Built for a tablet or phone held at the
// station, and for a barcode scanner (it types the code and presses Enter).
import { t } from '../i18n/index.js';
import { api, errorMessage, query } from '../lib/api.js';
import { field, h, messageArea, replace, tableWrap, whileBusy } from '../lib/dom.js';
import { ageOn, formatAgo, formatDateTime, formatTime } from '../lib/format.js';
import { Attempt } from '../lib/ids.js';
import { connectAvailability, connectOperations, StationStore } from '../lib/live.js';
import { session } from '../lib/session.js';

const DOCUMENT_TYPES = ['CC', 'TI', 'CE', 'PA', 'PEP', 'PPT'];
const STATION_KEY = 'metrobici.stationId';
const MAX_ALERTS = 50;

const normaliseCode = (value) => value.trim().toUpperCase().replace(/\s+/g, '');

export function renderOperator(view) {
  const actor = session.actor;
  let stations = [];
  let stationId = null;
  let rider = null;
  const disposers = [];
  let disposed = false;
  const store = new StationStore();
  const checkOutAttempt = new Attempt();
  const returnAttempt = new Attempt();

  const stationName = (id) => stations.find((s) => s.id === id)?.name ?? t('common.unknownStation');
  const current = () => stations.find((s) => s.id === stationId);

  // ---------- layout ----------
  const heading = h('h1', {}, t('operator.title'));
  const pickerBox = h('div', { class: 'station-picker' });
  const pageMessage = messageArea({ assertive: true });
  pageMessage.clear();
  const glance = h('dl', { class: 'glance', 'data-glance': '' });
  const glanceStatus = h('p', { class: 'glance__status' });

  // Check-out
  const docType = field({
    label: t('operator.documentType'),
    name: 'documentType',
    type: 'select',
    options: DOCUMENT_TYPES.map((d) => [d, t(`documentTypesShort.${d}`)]),
    value: 'CC',
  });
  const docNumber = field({
    label: t('operator.documentNumber'),
    name: 'documentNumber',
    attrs: { autocomplete: 'off', inputmode: 'text', maxlength: '40', 'data-document-number': '' },
  });
  const lookUpBtn = h('button', { type: 'button', class: 'btn', 'data-look-up': '' }, t('operator.lookUp'));
  const riderCard = h('div', {
    class: 'rider-card',
    role: 'status',
    'aria-live': 'polite',
    'data-rider-card': '',
    hidden: true,
  });
  const bikeCode = field({
    label: t('operator.bikeCode'),
    name: 'bikeCode',
    hint: t('operator.bikeCodeHint'),
    attrs: {
      autocomplete: 'off',
      autocapitalize: 'characters',
      spellcheck: 'false',
      maxlength: '32',
      'data-checkout-bike': '',
    },
  });
  const helmetNo = h('input', { type: 'radio', name: 'helmet', value: 'no', id: 'helmet-no', checked: true });
  const helmetYes = h('input', { type: 'radio', name: 'helmet', value: 'yes', id: 'helmet-yes' });
  const helmetsLeft = h('p', { class: 'hint', id: 'helmets-left' });
  const checkOutMessage = messageArea({ assertive: true });
  checkOutMessage.clear();
  checkOutMessage.el.dataset.checkoutMessage = '';
  const confirmCheckOut = h(
    'button',
    { type: 'submit', class: 'btn btn--primary btn--big', 'data-confirm-checkout': '' },
    t('operator.confirmCheckOut'),
  );
  const checkOutForm = h(
    'form',
    { class: 'form', novalidate: true, 'data-checkout-form': '', 'aria-labelledby': 'checkout-title' },
    h(
      'fieldset',
      { class: 'fieldset fieldset--inline' },
      h('legend', {}, t('operator.riderFieldset')),
      docType.wrap,
      docNumber.wrap,
      h('div', { class: 'field field--button' }, lookUpBtn),
    ),
    riderCard,
    bikeCode.wrap,
    h(
      'fieldset',
      { class: 'fieldset radios', 'aria-describedby': 'helmets-left' },
      h('legend', {}, t('operator.helmet')),
      h('span', { class: 'radio' }, helmetNo, h('label', { for: 'helmet-no' }, t('common.no'))),
      h('span', { class: 'radio' }, helmetYes, h('label', { for: 'helmet-yes' }, t('common.yes'))),
      helmetsLeft,
    ),
    checkOutMessage.el,
    h('div', { class: 'actions' }, confirmCheckOut),
  );

  // Return
  const returnCode = field({
    label: t('operator.bikeCode'),
    name: 'returnBikeCode',
    attrs: {
      autocomplete: 'off',
      autocapitalize: 'characters',
      spellcheck: 'false',
      maxlength: '32',
      'data-return-bike': '',
    },
  });
  const returnMessage = messageArea({ assertive: true });
  returnMessage.clear();
  const confirmReturn = h('button', { type: 'submit', class: 'btn btn--primary' }, t('operator.confirmReturn'));
  const returnForm = h(
    'form',
    { class: 'form', novalidate: true, 'data-return-form': '', 'aria-labelledby': 'return-title' },
    returnCode.wrap,
    returnMessage.el,
    h('div', { class: 'actions' }, confirmReturn),
  );

  // Renewal by bike code (the rider may come from any station)
  const renewCode = field({
    label: t('operator.bikeCode'),
    name: 'renewBikeCode',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '32' },
  });
  const renewMessage = messageArea({ assertive: true });
  renewMessage.clear();
  const confirmRenew = h('button', { type: 'submit', class: 'btn' }, t('operator.renewByBike'));
  const renewForm = h(
    'form',
    { class: 'form', novalidate: true, 'data-renew-form': '', 'aria-labelledby': 'renew-title' },
    renewCode.wrap,
    renewMessage.el,
    h('div', { class: 'actions' }, confirmRenew),
  );

  // Lists
  const loansBox = h('div', { 'data-open-loans': '' });
  const loansMessage = messageArea({ assertive: true });
  loansMessage.clear();
  const bikesBox = h('div', { 'data-bikes-here': '' });
  const bikesMessage = messageArea({ assertive: true });
  bikesMessage.clear();
  const pickUpCode = field({
    label: t('operator.pickUpLabel'),
    name: 'pickUpBikeCode',
    attrs: { autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '32' },
  });
  const pickUpBtn = h('button', { type: 'submit', class: 'btn' }, t('operator.pickUp'));
  const pickUpForm = h(
    'form',
    { class: 'form form--inline', novalidate: true, 'data-pickup-form': '' },
    pickUpCode.wrap,
    h('div', { class: 'field field--button' }, pickUpBtn),
  );
  const movesMessage = messageArea({ assertive: true });
  movesMessage.clear();
  const movesBox = h('div', { 'data-moves': '' });

  // Alerts
  const alertsStatus = h('p', { class: 'live-status' }, t('operator.alertsConnecting'));
  const alertsList = h(
    'ol',
    { class: 'alerts', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'data-alerts': '' },
    h('li', { class: 'empty' }, t('operator.alertsEmpty')),
  );

  const section = (id, title, ...children) =>
    h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
  view.append(
    h('div', { class: 'page-head' }, heading, pickerBox),
    pageMessage.el,
    h(
      'div',
      { class: 'operator-layout' },
      h(
        'div',
        { class: 'operator-layout__main' },
        section('glance-title', t('operator.glance'), glanceStatus, glance),
        section('checkout-title', t('operator.checkOutTitle'), checkOutForm),
        section('return-title', t('operator.returnTitle'), returnForm),
        section('renew-title', t('operator.renewTitle'), renewForm),
      ),
      h(
        'div',
        { class: 'operator-layout__side' },
        section('alerts-title', t('operator.alertsTitle'), alertsStatus, alertsList),
        section('loans-title', t('operator.openLoansTitle'), loansMessage.el, loansBox),
        section('bikes-title', t('operator.bikesTitle'), bikesMessage.el, bikesBox),
        section(
          'moves-title',
          t('operator.rebalancingTitle'),
          pickUpForm,
          movesMessage.el,
          h('h3', {}, t('operator.inTransitTitle')),
          movesBox,
        ),
      ),
    ),
  );

  // ---------- station ----------
  function renderPicker(allowed) {
    if (allowed.length <= 1) {
      replace(pickerBox); // the heading already names the one station
      return;
    }
    const select = field({
      label: t('operator.stationPicker'),
      name: 'station',
      type: 'select',
      options: allowed.map((s) => [s.id, s.kind === 'depot' ? `${s.name} ${t('operator.depot')}` : s.name]),
      value: stationId,
      attrs: { 'data-station-picker': '' },
    });
    select.input.addEventListener('change', () => {
      stationId = select.input.value;
      sessionStorage.setItem(STATION_KEY, stationId);
      onStationChanged();
    });
    replace(pickerBox, select.wrap);
  }

  function renderGlance() {
    const s = current();
    if (!s) return;
    const live = store.get(s.id);
    const bikesAvailable = live?.bikesAvailable ?? s.bikesAvailable;
    const spaces = live?.spacesAvailable ?? s.capacity - s.bikesDocked;
    const helmets = live?.helmetsAvailable ?? s.helmetsAvailable;
    const open = live ? live.isOpen : s.active;
    replace(
      glance,
      h(
        'div',
        {},
        h('dt', {}, t('operator.bikesAvailable')),
        h('dd', { 'data-field': 'bikes' }, String(bikesAvailable)),
      ),
      h('div', {}, h('dt', {}, t('operator.spaces')), h('dd', { 'data-field': 'spaces' }, String(spaces))),
      h('div', {}, h('dt', {}, t('operator.helmets')), h('dd', { 'data-field': 'helmets' }, String(helmets))),
    );
    glanceStatus.textContent = !s.active
      ? t('operator.inactive')
      : open
        ? t('operator.openNow')
        : t('operator.closedNow');
    glanceStatus.className = `glance__status badge badge--${s.active && open ? 'open' : 'closed'}`;
    helmetsLeft.textContent = t('operator.helmetsLeft', { n: helmets });
    helmetYes.disabled = helmets <= 0;
    if (helmets <= 0) helmetNo.checked = true;
  }

  async function loadStations() {
    const all = await api.get('/api/v1/stations/all');
    stations = all;
    const allowed = all
      .filter((s) => actor.stationIds === null || actor.stationIds.includes(s.id))
      .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'es') : a.kind === 'station' ? -1 : 1));
    if (allowed.length === 0) {
      pageMessage.set(t('operator.noStations'), 'error');
      return false;
    }
    const saved = sessionStorage.getItem(STATION_KEY);
    stationId = allowed.some((s) => s.id === saved) ? saved : allowed[0].id;
    renderPicker(allowed);
    return true;
  }

  async function refreshStationRow() {
    try {
      stations = await api.get('/api/v1/stations/all');
      renderGlance();
    } catch {
      // The live counts still show; the next refresh will try again.
    }
  }

  let refreshTimer = null;
  /** Refreshes the lists a moment after a change (several events in a burst cost one reload). */
  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refreshAll(), 300);
  }

  async function refreshAll() {
    await Promise.all([loadLoans(), loadBikes(), loadMoves(), refreshStationRow()]);
  }

  function onStationChanged() {
    heading.textContent = `${t('operator.title')}: ${stationName(stationId)}`;
    rider = null;
    renderRider();
    checkOutMessage.clear();
    returnMessage.clear();
    renewMessage.clear();
    renderGlance();
    void refreshAll();
  }

  // ---------- rider look-up ----------
  function renderRider() {
    if (!rider) {
      riderCard.hidden = true;
      replace(riderCard);
      return;
    }
    const age = ageOn(rider.birthDate);
    const status = h(
      'span',
      { class: `badge badge--rider-${rider.status}`, 'data-rider-status': rider.status },
      t(`operator.riderStatus.${rider.status}`),
    );
    const verifyBtn =
      rider.status === 'pending'
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn',
              'data-verify-rider': '',
              onclick: (e) => void verifyRider(e.currentTarget),
            },
            t('operator.verify'),
          )
        : null;
    replace(
      riderCard,
      h('p', { class: 'rider-card__name' }, h('strong', {}, `${rider.firstName} ${rider.lastName}`), ' ', status),
      h(
        'p',
        {},
        `${rider.documentType} ${rider.documentNumber}`,
        age !== null ? ` · ${t('operator.riderAge', { age })}` : '',
      ),
      rider.guardian ? h('p', {}, t('operator.riderGuardian', { name: rider.guardian.name })) : null,
      rider.status === 'suspended' && rider.suspensionReason
        ? h('p', {}, t('operator.riderSuspended', { reason: rider.suspensionReason }))
        : null,
      h(
        'p',
        { 'data-rider-loan': '' },
        rider.openLoan
          ? t('operator.riderOpenLoan', {
              time: formatTime(rider.openLoan.startedAt),
              due: formatTime(rider.openLoan.dueAt),
            })
          : t('operator.riderNoOpenLoan'),
      ),
      verifyBtn,
    );
    riderCard.className = `rider-card rider-card--${rider.status}${rider.openLoan ? ' rider-card--has-loan' : ''}`;
    riderCard.hidden = false;
  }

  async function lookUpRider() {
    const number = docNumber.input.value.trim();
    checkOutMessage.clear();
    if (!number) {
      checkOutMessage.set(t('operator.needRider'), 'error');
      docNumber.input.focus();
      return false;
    }
    return whileBusy(lookUpBtn, async () => {
      try {
        const found = await api.get(
          `/api/v1/riders${query({ documentType: docType.input.value, documentNumber: number })}`,
        );
        rider = Array.isArray(found) ? (found[0] ?? null) : found;
        renderRider();
        if (!rider) {
          checkOutMessage.set(t('errors.RIDER_NOT_FOUND'), 'error');
          docNumber.input.focus();
          return false;
        }
        bikeCode.input.focus();
        return true;
      } catch (error) {
        rider = null;
        renderRider();
        checkOutMessage.set(errorMessage(error), 'error');
        return false;
      }
    });
  }

  async function verifyRider(button) {
    await whileBusy(button, async () => {
      try {
        rider = await api.post(`/api/v1/riders/${rider.id}/verify`, { stationId });
        renderRider();
        checkOutMessage.set(t('operator.verified', { name: `${rider.firstName} ${rider.lastName}` }), 'success');
        bikeCode.input.focus();
      } catch (error) {
        checkOutMessage.set(errorMessage(error), 'error');
      }
    });
  }

  lookUpBtn.addEventListener('click', () => void lookUpRider());
  docNumber.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void lookUpRider();
    }
  });
  const forgetRider = () => {
    if (rider) {
      rider = null;
      renderRider();
    }
  };
  docNumber.input.addEventListener('input', forgetRider);
  docType.input.addEventListener('change', forgetRider);

  // ---------- check-out ----------
  checkOutForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(confirmCheckOut, async () => {
      checkOutMessage.clear();
      const code = normaliseCode(bikeCode.input.value);
      const number = docNumber.input.value.trim();
      if (!rider && !number) {
        checkOutMessage.set(t('operator.needRider'), 'error');
        docNumber.input.focus();
        return;
      }
      if (!code) {
        checkOutMessage.set(t('operator.needBike'), 'error');
        bikeCode.input.focus();
        return;
      }
      const payload = {
        bikeCode: code,
        stationId,
        helmet: helmetYes.checked,
        ...(rider ? { riderId: rider.id } : { documentType: docType.input.value, documentNumber: number }),
      };
      try {
        const loan = await api.post('/api/v1/loans', payload, {
          headers: { 'Idempotency-Key': checkOutAttempt.keyFor(payload) },
        });
        checkOutAttempt.done();
        checkOutMessage.set(t('operator.checkedOut', { bike: loan.bikeCode, due: formatTime(loan.dueAt) }), 'success');
        checkOutForm.reset();
        docType.input.value = 'CC';
        rider = null;
        renderRider();
        docNumber.input.focus();
        scheduleRefresh();
      } catch (error) {
        const retryable = error.code === 'NETWORK_ERROR' || error.status >= 500;
        // A refusal rolled back on the server; only an unknown outcome keeps the key for the retry.
        if (!retryable) checkOutAttempt.done();
        checkOutMessage.set(
          retryable ? `${errorMessage(error)} ${t('operator.retryHint')}` : errorMessage(error),
          'error',
        );
        if (
          error.code === 'BIKE_NOT_AT_STATION' ||
          error.code === 'BIKE_NOT_AVAILABLE' ||
          error.code === 'BIKE_NOT_FOUND'
        )
          bikeCode.input.select();
      }
    });
  });

  // ---------- return ----------
  returnForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(confirmReturn, async () => {
      returnMessage.clear();
      const code = normaliseCode(returnCode.input.value);
      if (!code) {
        returnMessage.set(t('operator.needBike'), 'error');
        returnCode.input.focus();
        return;
      }
      const payload = { bikeCode: code, stationId };
      try {
        const loan = await api.post('/api/v1/returns', payload, {
          headers: { 'Idempotency-Key': returnAttempt.keyFor(payload) },
        });
        returnAttempt.done();
        const parts = [
          t('operator.returned', { bike: loan.bikeCode, minutes: Math.round((loan.durationSeconds ?? 0) / 60) }),
        ];
        if (loan.overdue) parts.push(t('operator.returnedLate'));
        if (loan.riderSuspended) parts.push(t('operator.riderNowSuspended'));
        returnMessage.set(parts.join(' '), loan.riderSuspended || loan.overdue ? 'info' : 'success');
        returnForm.reset();
        returnCode.input.focus();
        scheduleRefresh();
      } catch (error) {
        const retryable = error.code === 'NETWORK_ERROR' || error.status >= 500;
        if (!retryable) returnAttempt.done();
        returnMessage.set(
          retryable ? `${errorMessage(error)} ${t('operator.retryHint')}` : errorMessage(error),
          'error',
        );
        returnCode.input.select();
      }
    });
  });

  // ---------- renewal ----------
  async function renew(loan, messages) {
    try {
      const next = await api.post(`/api/v1/loans/${loan.id}/renew`, { stationId });
      messages.set(
        t('operator.renewed', { bike: next.bikeCode ?? loan.bikeCode, due: formatTime(next.dueAt) }),
        'success',
      );
      scheduleRefresh();
      return true;
    } catch (error) {
      messages.set(errorMessage(error), 'error');
      return false;
    }
  }

  renewForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(confirmRenew, async () => {
      renewMessage.clear();
      const code = normaliseCode(renewCode.input.value);
      if (!code) {
        renewMessage.set(t('operator.needBike'), 'error');
        renewCode.input.focus();
        return;
      }
      try {
        const open = await api.get(`/api/v1/loans${query({ state: 'open', limit: 500 })}`);
        const loan = open.find((l) => l.bikeCode === code);
        if (!loan) {
          renewMessage.set(t('operator.renewNotFound', { bike: code }), 'error');
          renewCode.input.select();
          return;
        }
        if (await renew(loan, renewMessage)) {
          renewForm.reset();
          renewCode.input.focus();
        }
      } catch (error) {
        renewMessage.set(errorMessage(error), 'error');
      }
    });
  });

  // ---------- open loans that started here ----------
  async function loadLoans() {
    const id = stationId;
    try {
      const loans = (await api.get(`/api/v1/loans${query({ state: 'open', stationId: id })}`)).filter(
        (l) => l.fromStationId === id,
      );
      if (id !== stationId) return;
      if (loans.length === 0) {
        replace(loansBox, h('p', { class: 'empty' }, t('operator.openLoansEmpty')));
        return;
      }
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
              t('operator.colBike'),
              t('operator.colRider'),
              t('operator.colStarted'),
              t('operator.colDue'),
              t('operator.colState'),
              t('common.actions'),
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          loans.map((loan) => {
            const overdue = loan.overdue || new Date(loan.dueAt).getTime() < Date.now();
            const btn = h(
              'button',
              {
                type: 'button',
                class: 'btn btn--small',
                'aria-label': t('operator.renewFor', { bike: loan.bikeCode }),
              },
              t('operator.renew'),
            );
            btn.addEventListener('click', () => void whileBusy(btn, () => renew(loan, loansMessage)));
            return h(
              'tr',
              { 'data-loan-id': loan.id, class: overdue ? 'row--warn' : '' },
              h('th', { scope: 'row', class: 'code' }, loan.bikeCode),
              h('td', {}, loan.riderName ?? '', h('br'), h('span', { class: 'muted' }, loan.riderDocument ?? '')),
              h('td', {}, formatTime(loan.startedAt)),
              h('td', {}, formatTime(loan.dueAt)),
              h(
                'td',
                {},
                overdue
                  ? h(
                      'span',
                      { class: 'badge badge--closed' },
                      t('operator.overdueBy', {
                        n: Math.max(
                          1,
                          Math.round(loan.minutesOverdue ?? (Date.now() - new Date(loan.dueAt).getTime()) / 60000),
                        ),
                      }),
                    )
                  : t('operator.onTime'),
              ),
              h('td', {}, btn),
            );
          }),
        ),
      );
      replace(loansBox, tableWrap(t('operator.openLoansTitle'), table));
    } catch (error) {
      loansMessage.set(errorMessage(error), 'error');
    }
  }

  // ---------- bikes in the rack ----------
  async function loadBikes() {
    const id = stationId;
    try {
      const bikes = await api.get(`/api/v1/bikes${query({ stationId: id })}`);
      if (id !== stationId) return;
      if (bikes.length === 0) {
        replace(bikesBox, h('p', { class: 'empty' }, t('operator.bikesEmpty')));
        return;
      }
      const tbody = h('tbody');
      for (const bike of bikes) tbody.append(...bikeRows(bike));
      const table = h(
        'table',
        { class: 'table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('operator.colCode'), t('operator.colDonor'), t('operator.colState'), t('common.actions')].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        tbody,
      );
      replace(bikesBox, tableWrap(t('operator.bikesTitle'), table, { tall: true }));
    } catch (error) {
      bikesMessage.set(errorMessage(error), 'error');
    }
  }

  function bikeRows(bike) {
    const damageRow = h('tr', { class: 'row--form', hidden: true });
    const actions = h('td', { class: 'cell-actions' });
    if (bike.state === 'available' || bike.state === 'maintenance') {
      if (bike.state === 'available') {
        const damageBtn = h(
          'button',
          {
            type: 'button',
            class: 'btn btn--small',
            'aria-expanded': 'false',
            'aria-label': t('operator.reportDamageFor', { bike: bike.code }),
          },
          t('operator.reportDamage'),
        );
        damageBtn.addEventListener('click', () => {
          const open = damageRow.hidden;
          damageRow.hidden = !open;
          damageBtn.setAttribute('aria-expanded', String(open));
          if (open) damageRow.querySelector('textarea')?.focus();
        });
        actions.append(damageBtn, ' ');
      } else {
        const repairBtn = h(
          'button',
          { type: 'button', class: 'btn btn--small', 'aria-label': t('operator.repairFor', { bike: bike.code }) },
          t('operator.repair'),
        );
        repairBtn.addEventListener(
          'click',
          () =>
            void whileBusy(repairBtn, async () => {
              try {
                await api.post(`/api/v1/bikes/${bike.id}/repair`, {});
                bikesMessage.set(t('operator.repaired', { bike: bike.code }), 'success');
                scheduleRefresh();
              } catch (error) {
                bikesMessage.set(errorMessage(error), 'error');
              }
            }),
        );
        actions.append(repairBtn, ' ');
      }
      const moveBtn = h(
        'button',
        {
          type: 'button',
          class: 'btn btn--small btn--ghost',
          'aria-label': t('operator.moveFor', { bike: bike.code }),
        },
        t('operator.move'),
      );
      moveBtn.addEventListener('click', () => void whileBusy(moveBtn, () => pickUp(bike.code)));
      actions.append(moveBtn);
    }
    const note = field({
      label: t('operator.damageNote'),
      name: `damage-${bike.id}`,
      type: 'textarea',
      attrs: { rows: '2', maxlength: '500', minlength: '3' },
    });
    const send = h('button', { type: 'submit', class: 'btn btn--small btn--primary' }, t('operator.sendDamage'));
    const form = h(
      'form',
      { class: 'form form--inline', novalidate: true },
      note.wrap,
      h('div', { class: 'field field--button' }, send),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void whileBusy(send, async () => {
        if (note.input.value.trim().length < 3) {
          note.setError(t('common.requiredField'));
          note.input.focus();
          return;
        }
        try {
          await api.post(`/api/v1/bikes/${bike.id}/damage`, { note: note.input.value.trim() });
          bikesMessage.set(t('operator.damaged', { bike: bike.code }), 'success');
          scheduleRefresh();
        } catch (error) {
          note.setError(errorMessage(error));
        }
      });
    });
    damageRow.append(h('td', { colspan: '4' }, form));
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
    return [row, damageRow];
  }

  // ---------- rebalancing ----------
  async function pickUp(code) {
    movesMessage.clear();
    try {
      const move = await api.post('/api/v1/rebalancing', { bikeCode: code, fromStationId: stationId });
      movesMessage.set(
        t('operator.pickedUp', { bike: move.bikeCode || code, station: stationName(move.fromStationId) }),
        'success',
      );
      scheduleRefresh();
      return true;
    } catch (error) {
      movesMessage.set(errorMessage(error), 'error');
      return false;
    }
  }

  pickUpForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void whileBusy(pickUpBtn, async () => {
      const code = normaliseCode(pickUpCode.input.value);
      if (!code) {
        movesMessage.set(t('operator.needBike'), 'error');
        pickUpCode.input.focus();
        return;
      }
      if (await pickUp(code)) pickUpForm.reset();
    });
  });

  async function loadMoves() {
    try {
      const moves = await api.get(`/api/v1/rebalancing${query({ state: 'in_transit' })}`);
      if (moves.length === 0) {
        replace(movesBox, h('p', { class: 'empty' }, t('operator.inTransitEmpty')));
        return;
      }
      const table = h(
        'table',
        { class: 'table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('operator.colBike'), t('operator.colFrom'), t('operator.colPickedUp'), t('common.actions')].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          moves.map((move) => {
            const btn = h(
              'button',
              { type: 'button', class: 'btn btn--small', 'aria-label': t('operator.dropFor', { bike: move.bikeCode }) },
              t('operator.drop'),
            );
            btn.addEventListener(
              'click',
              () =>
                void whileBusy(btn, async () => {
                  try {
                    await api.post(`/api/v1/rebalancing/${move.id}/drop`, { toStationId: stationId });
                    movesMessage.set(
                      t('operator.dropped', { bike: move.bikeCode, station: stationName(stationId) }),
                      'success',
                    );
                    scheduleRefresh();
                  } catch (error) {
                    movesMessage.set(errorMessage(error), 'error');
                  }
                }),
            );
            return h(
              'tr',
              { 'data-move-id': move.id },
              h('th', { scope: 'row', class: 'code' }, move.bikeCode),
              h('td', {}, stationName(move.fromStationId)),
              h('td', {}, formatDateTime(move.pickedUpAt)),
              h('td', {}, btn),
            );
          }),
        ),
      );
      replace(movesBox, tableWrap(t('operator.inTransitTitle'), table));
    } catch (error) {
      movesMessage.set(errorMessage(error), 'error');
    }
  }

  // ---------- alerts ----------
  const seenAlerts = new Set();
  function addAlert(alert) {
    if (!alert?.id || seenAlerts.has(alert.id)) return;
    seenAlerts.add(alert.id);
    alertsList.querySelector('.empty')?.remove();
    const since =
      alert.since && alert.at && new Date(alert.at) - new Date(alert.since) > 60_000
        ? ` · ${t('operator.alertSince', { duration: formatAgo(alert.since).replace(/^hace /, '') })}`
        : '';
    const item = h(
      'li',
      { class: `alert alert--${alert.kind}`, 'data-alert-kind': alert.kind },
      h(
        'p',
        { class: 'alert__head' },
        h('strong', {}, t(`operator.alertKinds.${alert.kind}`)),
        ' · ',
        alert.stationId ? stationName(alert.stationId) : '',
        ' · ',
        h('time', { datetime: alert.at }, formatTime(alert.at)),
      ),
      h('p', {}, alert.message, since),
    );
    alertsList.prepend(item);
    while (alertsList.children.length > MAX_ALERTS) alertsList.lastElementChild.remove();
    if (alert.stationId === stationId) scheduleRefresh();
  }

  // ---------- start ----------
  void (async () => {
    try {
      if (!(await loadStations()) || disposed) return;
    } catch (error) {
      pageMessage.set(errorMessage(error), 'error');
      return;
    }
    onStationChanged();
    const availability = connectAvailability(store);
    disposers.push(() => availability.close());
    disposers.push(
      store.subscribe((change) => {
        if (change.type === 'list' || change.station.id === stationId) renderGlance();
        if (change.type === 'update' && change.station.id === stationId) scheduleRefresh();
      }),
    );
    const operations = connectOperations({
      onAlert: addAlert,
      onStatus: (state) => {
        alertsStatus.dataset.state = state;
        alertsStatus.textContent = t(
          state === 'online'
            ? 'operator.alertsOnline'
            : state === 'offline'
              ? 'operator.alertsOffline'
              : 'operator.alertsConnecting',
        );
      },
    });
    disposers.push(() => operations.close());
  })();

  docNumber.input.focus();

  return () => {
    disposed = true;
    clearTimeout(refreshTimer);
    for (const dispose of disposers) dispose();
  };
}
