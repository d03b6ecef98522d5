// Corrections at the station (operator/admin): a loan by its bike's code (revert, force-return,
// report a bike never returned), a bike by its code (missing or stolen, found), and a rider by
// document (suspend/reactivate for admins), and incidents (record one, list them).
// `#/correcciones?bici=BAV-001` opens with that loan.
import { t } from '../i18n/index.js';
import { errorMessage } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { loadServiceInfo } from '../lib/service-info.js';
import { session } from '../lib/session.js';
import { bikeStatusPanel } from '../panels/operator/bike-status.js';
import { stationsFor } from '../panels/operator/correction-shared.js';
import { incidentsPanel } from '../panels/operator/incidents.js';
import { loanCorrectionPanel } from '../panels/operator/loan-correction.js';
import { riderSearchPanel } from '../panels/operator/rider-search.js';

export async function renderCorrections(view) {
  view.append(h('h1', {}, t('corrections.title')), h('p', { class: 'lead' }, t('corrections.intro')));
  let info;
  let stations;
  try {
    [info, stations] = await Promise.all([loadServiceInfo(), stationsFor(session.actor)]);
  } catch (error) {
    view.append(h('p', { class: 'message message--error', role: 'alert' }, errorMessage(error)));
    return undefined;
  }
  const ctx = {
    stations,
    stationName: (id) => stations.find((s) => s.id === id)?.name ?? t('common.unknownStation'),
  };
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const loan = loanCorrectionPanel(ctx, { initialCode: params.get('bici') ?? undefined });
  view.append(
    h(
      'div',
      { class: 'corrections-layout' },
      loan,
      bikeStatusPanel(ctx),
      riderSearchPanel(info, session.actor),
      incidentsPanel(ctx),
    ),
  );
  view.querySelector('[data-correctionBike], input')?.focus();
  return undefined;
}
