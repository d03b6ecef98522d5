// The rider found by document: status, age, guardian, open loan — and, for a rider who registered
// online and is still pending, the button that records that the operator saw the document.
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { h, replace } from '../../lib/dom.js';
import { ageOn, formatTime } from '../../lib/format.js';
import { send } from '../../lib/request.js';

/** `message`: where the verification's outcome is said; `onVerified()`: what comes next (focus the bike). */
export function riderCard(ctx, { message, onVerified }) {
  let rider = null;
  const el = h('div', {
    class: 'rider-card',
    role: 'status',
    'aria-live': 'polite',
    'data-rider-card': '',
    hidden: true,
  });

  function verifyButton() {
    const button = h('button', { type: 'button', class: 'btn', 'data-verify-rider': '' }, t('operator.verify'));
    button.addEventListener(
      'click',
      () =>
        void send(button, {
          message,
          request: () => api.post(`/api/v1/riders/${rider.id}/verify`, { stationId: ctx.stationId }),
          success: (verified) => {
            show(verified);
            return t('operator.verified', { name: `${verified.firstName} ${verified.lastName}` });
          },
          after: onVerified,
        }),
    );
    return button;
  }

  function details(r) {
    const age = ageOn(r.birthDate);
    const loan = r.openLoan
      ? t('operator.riderOpenLoan', { time: formatTime(r.openLoan.startedAt), due: formatTime(r.openLoan.dueAt) })
      : t('operator.riderNoOpenLoan');
    return [
      h('p', {}, `${r.documentType} ${r.documentNumber}`, age !== null ? ` · ${t('operator.riderAge', { age })}` : ''),
      r.guardian ? h('p', {}, t('operator.riderGuardian', { name: r.guardian.name })) : null,
      r.helmetsMissing
        ? h('p', { 'data-helmets-missing': '' }, t('riders.helmetsMissing', { n: r.helmetsMissing }))
        : null,
      r.status === 'suspended' && r.suspensionReason
        ? h('p', {}, t('operator.riderSuspended', { reason: r.suspensionReason }))
        : null,
      h('p', { 'data-rider-loan': '' }, loan),
    ];
  }

  /** Shows `next` (null hides the card). */
  function show(next) {
    rider = next;
    if (!rider) {
      el.hidden = true;
      replace(el);
      return;
    }
    const status = h(
      'span',
      { class: `badge badge--rider-${rider.status}`, 'data-rider-status': rider.status },
      t(`operator.riderStatus.${rider.status}`),
    );
    replace(
      el,
      h('p', { class: 'rider-card__name' }, h('strong', {}, `${rider.firstName} ${rider.lastName}`), ' ', status),
      details(rider),
      rider.status === 'pending' ? verifyButton() : null,
    );
    el.className = `rider-card rider-card--${rider.status}${rider.openLoan ? ' rider-card--has-loan' : ''}`;
    el.hidden = false;
  }

  return {
    el,
    show,
    get rider() {
      return rider;
    },
  };
}
