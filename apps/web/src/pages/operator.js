// The station operator's screen: the station at a glance, check-out, return, renewal, live alerts,
// the open loans and the bikes in the rack (damage, repair, rebalancing). Built for a tablet or
// phone held at the station, and for a barcode scanner (it types the code and presses Enter).
// Each block is a panel (panels/operator/); this page lays them out and starts the live feeds.
import { errorMessage } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { connectAvailability, connectOperations } from '../lib/live.js';
import { feedbackArea } from '../lib/request.js';
import { loadServiceInfo } from '../lib/service-info.js';
import { session } from '../lib/session.js';
import { alertsPanel } from '../panels/operator/alerts.js';
import { checkOutPanel } from '../panels/operator/check-out.js';
import { createOperatorContext } from '../panels/operator/context.js';
import { glancePanel } from '../panels/operator/glance.js';
import { openLoansPanel } from '../panels/operator/open-loans.js';
import { pendingPanel } from '../panels/operator/pending.js';
import { rackPanel } from '../panels/operator/rack.js';
import { rebalancingPanel } from '../panels/operator/rebalancing.js';
import { renewalPanel } from '../panels/operator/renewal.js';
import { returnPanel } from '../panels/operator/return.js';
import { shiftPanel } from '../panels/operator/shift.js';
import { stationPicker } from '../panels/operator/station-picker.js';
import { t } from '../i18n/index.js';

export async function renderOperator(view) {
  const info = await loadServiceInfo();
  const ctx = createOperatorContext(session.actor);
  const pageMessage = feedbackArea();
  const picker = stationPicker(ctx);
  const checkOut = checkOutPanel(ctx, info);
  const alerts = alertsPanel(ctx);
  const rebalancing = rebalancingPanel(ctx);

  // Tab order follows the work: the counter's forms first, then alerts and the station's lists.
  // The lists take the full width, so no action column is cut off on a 1280-px tablet.
  view.append(
    h('div', { class: 'page-head' }, picker.heading, picker.el),
    pageMessage.el,
    h(
      'div',
      { class: 'operator-layout' },
      h('div', { class: 'operator-layout__main' }, glancePanel(ctx), checkOut.el, returnPanel(ctx), renewalPanel(ctx)),
      h('div', { class: 'operator-layout__side' }, pendingPanel(ctx), shiftPanel(ctx), alerts.el),
      h(
        'div',
        { class: 'operator-layout__lists' },
        openLoansPanel(ctx),
        rackPanel(ctx, { pickUp: rebalancing.pickUp }),
        rebalancing.el,
      ),
    ),
  );

  const disposers = [ctx.dispose];
  let disposed = false;
  void start(ctx, { picker, alerts, pageMessage, disposers, isDisposed: () => disposed });
  checkOut.focus();

  return () => {
    disposed = true;
    for (const dispose of disposers) dispose();
  };
}

/** Loads the stations, shows the first one, then follows the live counts and the staff alerts. */
async function start(ctx, { picker, alerts, pageMessage, disposers, isDisposed }) {
  try {
    const first = await picker.load();
    if (!first) pageMessage.set(t('operator.noStations'), 'error');
    if (!first || isDisposed()) return;
  } catch (error) {
    pageMessage.set(errorMessage(error), 'error');
    return;
  }
  ctx.setStation(ctx.stationId);
  const availability = connectAvailability(ctx.store);
  disposers.push(() => availability.close());
  disposers.push(
    ctx.store.subscribe((change) => {
      if (change.type === 'list' || change.station.id === ctx.stationId) ctx.countsChanged();
      if (change.type === 'update' && change.station.id === ctx.stationId) ctx.scheduleRefresh();
    }),
  );
  const operations = connectOperations({
    onAlert: alerts.add,
    onAlertResolved: alerts.resolved,
    onAlertAcknowledged: alerts.acknowledged,
    onStatus: alerts.setStatus,
  });
  disposers.push(() => operations.close());
}
