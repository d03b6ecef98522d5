// The registration form's fields: personal data, the guardian (minors), the consent. Document
// types and genders are the server's lists (GET /api/v1/service-info).
import { t } from '../../i18n/index.js';
import { field, h } from '../../lib/dom.js';
import { bogotaToday } from '../../lib/format.js';
import { documentTypeOptions } from '../../lib/service-info.js';

/** Fields by the API's field names (server problems come back by these names). */
export function registrationFields(info) {
  const docOptions = documentTypeOptions(info, 'long');
  const firstType = docOptions[0]?.[0];
  return {
    documentType: field({
      label: t('register.documentType'),
      name: 'documentType',
      type: 'select',
      options: docOptions,
      value: firstType,
      required: true,
    }),
    documentNumber: field({
      label: t('register.documentNumber'),
      name: 'documentNumber',
      hint: t('register.documentNumberHint'),
      required: true,
      attrs: { autocomplete: 'off', inputmode: 'text', maxlength: '40' },
    }),
    firstName: field({
      label: t('register.firstName'),
      name: 'firstName',
      required: true,
      attrs: { autocomplete: 'given-name', maxlength: '80' },
    }),
    lastName: field({
      label: t('register.lastName'),
      name: 'lastName',
      required: true,
      attrs: { autocomplete: 'family-name', maxlength: '80' },
    }),
    birthDate: field({
      label: t('register.birthDate'),
      name: 'birthDate',
      type: 'date',
      required: true,
      attrs: { autocomplete: 'bday', max: bogotaToday() },
    }),
    gender: field({
      label: t('register.gender'),
      name: 'gender',
      type: 'select',
      options: [['', '—'], ...info.genders.map((g) => [g, t(`genders.${g}`)])],
      value: '',
      required: true,
    }),
    phone: field({
      label: t('register.phone'),
      name: 'phone',
      type: 'tel',
      required: true,
      attrs: { autocomplete: 'tel', inputmode: 'tel', maxlength: '20' },
    }),
    email: field({
      label: `${t('register.email')} ${t('common.optional')}`,
      name: 'email',
      type: 'email',
      attrs: { autocomplete: 'email', maxlength: '254' },
    }),
    'guardian.name': field({ label: t('register.guardianName'), name: 'guardianName', attrs: { maxlength: '160' } }),
    'guardian.documentType': field({
      label: t('register.guardianDocumentType'),
      name: 'guardianDocumentType',
      type: 'select',
      options: docOptions,
      value: firstType,
    }),
    'guardian.documentNumber': field({
      label: t('register.guardianDocumentNumber'),
      name: 'guardianDocumentNumber',
      attrs: { maxlength: '40' },
    }),
    'guardian.birthDate': field({
      label: t('register.guardianBirthDate'),
      name: 'guardianBirthDate',
      type: 'date',
      attrs: { max: bogotaToday() },
    }),
  };
}

/** The guardian's fieldset, shown only for minors. */
export function guardianFieldset(info, f) {
  return h(
    'fieldset',
    { class: 'fieldset', hidden: true, 'data-guardian': '' },
    h('legend', {}, t('register.guardian', { adultAge: info.adultAge })),
    h('p', { class: 'hint' }, t('register.guardianHint', { adultAge: info.adultAge })),
    f['guardian.name'].wrap,
    f['guardian.documentType'].wrap,
    f['guardian.documentNumber'].wrap,
    f['guardian.birthDate'].wrap,
  );
}

/** One checkbox per purpose: `service` is required (checked, fixed), the others are opt-in. */
function purposeChecks() {
  const box = (id, label, attrs = {}) => {
    const input = h('input', { type: 'checkbox', id, name: id, ...attrs });
    return { input, el: h('div', { class: 'check' }, input, h('label', { for: id }, label)) };
  };
  const service = box('purpose-service', t('register.purposeService'), { checked: true, disabled: true });
  const research = box('purpose-research', t('register.purposeResearch'), { 'data-purpose': 'research' });
  const reminders = box('purpose-reminders', t('register.purposeReminders'), { 'data-purpose': 'reminders' });
  return {
    el: h(
      'fieldset',
      { class: 'fieldset fieldset--nested' },
      h('legend', {}, t('register.purposesTitle')),
      service.el,
      research.el,
      reminders.el,
    ),
    purposes: () => [
      'service',
      ...(research.input.checked ? ['research'] : []),
      ...(reminders.input.checked ? ['reminders'] : []),
    ],
  };
}

/** The Ley 1581 consent: the privacy notice, the purposes, the checkbox, its error line and the terms version. */
export function consentFieldset(info) {
  const purposes = purposeChecks();
  const input = h('input', { type: 'checkbox', id: 'consent', name: 'consent', 'aria-describedby': 'consent-error' });
  const error = h('p', { class: 'field-error', id: 'consent-error', hidden: true });
  const el = h(
    'fieldset',
    { class: 'fieldset' },
    h('legend', {}, t('register.consentTitle')),
    h(
      'details',
      { class: 'privacy' },
      h('summary', {}, t('register.consentLink')),
      t('howTo.privacy').map((p) => h('p', {}, p)),
    ),
    purposes.el,
    h('div', { class: 'check' }, input, h('label', { for: 'consent' }, t('register.consentLabel'))),
    error,
    h('p', { class: 'hint', 'data-terms-version': '' }, t('howTo.termsVersion', { version: info.termsVersion })),
  );
  return {
    el,
    input,
    purposes: purposes.purposes,
    setError(text) {
      error.textContent = text ?? '';
      error.hidden = !text;
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}
