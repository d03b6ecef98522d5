// A bike's damage report (a note; the bike goes to maintenance) and its repair.
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { field, h } from '../../lib/dom.js';
import { fieldFeedback, refuse, send, sendOnClick } from '../../lib/request.js';

/** The hidden row under a bike with the damage form; `toggle` shows or hides it. */
export function damageRow(ctx, bike, { message, columns }) {
  const row = h('tr', { class: 'row--form', hidden: true });
  const note = field({
    label: t('operator.damageNote'),
    name: `damage-${bike.id}`,
    type: 'textarea',
    attrs: { rows: '2', maxlength: '500', minlength: '3' },
  });
  const submit = h('button', { type: 'submit', class: 'btn btn--small btn--primary' }, t('operator.sendDamage'));
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true },
    note.wrap,
    h('div', { class: 'field field--button' }, submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void send(submit, {
      errorsTo: fieldFeedback(note),
      request: () => {
        const text = note.input.value.trim();
        if (text.length < 3) refuse(t('common.requiredField'), note.input);
        return api.post(`/api/v1/bikes/${bike.id}/damage`, { note: text });
      },
      after: () => {
        message.set(t('operator.damaged', { bike: bike.code }), 'success');
        ctx.scheduleRefresh();
      },
    });
  });
  row.append(h('td', { colspan: String(columns) }, form));
  return row;
}

/** "Reportar daño": opens the damage row under the bike. */
export function reportDamageButton(bike, row) {
  const button = h(
    'button',
    {
      type: 'button',
      class: 'btn btn--small',
      'aria-expanded': 'false',
      'aria-label': t('operator.reportDamageFor', { bike: bike.code }),
    },
    t('operator.reportDamage'),
  );
  button.addEventListener('click', () => {
    const open = row.hidden;
    row.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) row.querySelector('textarea')?.focus();
  });
  return button;
}

/** "Marcar reparada": the bike in maintenance is available again. */
export function repairButton(ctx, bike, message) {
  const button = h(
    'button',
    { type: 'button', class: 'btn btn--small', 'aria-label': t('operator.repairFor', { bike: bike.code }) },
    t('operator.repair'),
  );
  sendOnClick(button, {
    message,
    request: () => api.post(`/api/v1/bikes/${bike.id}/repair`, {}),
    success: () => t('operator.repaired', { bike: bike.code }),
    after: ctx.scheduleRefresh,
  });
  return button;
}
