// Self-registration (POST /api/v1/riders) with the Ley 1581 consent and, for minors, the guardian.
import { t } from '../i18n/index.js';
import { api, errorMessage, fieldProblems } from '../lib/api.js';
import { field, h, messageArea, whileBusy } from '../lib/dom.js';
import { ageOn, bogotaToday } from '../lib/format.js';
import { DEFAULT_SERVICE_INFO, loadServiceInfo } from '../lib/service-info.js';

const DOCUMENT_TYPES = ['CC', 'TI', 'CE', 'PA', 'PEP', 'PPT'];
const GENDERS = ['female', 'male', 'other', 'undisclosed'];

export function renderRegister(view) {
  let info = DEFAULT_SERVICE_INFO;
  const docOptions = DOCUMENT_TYPES.map((d) => [d, t(`documentTypes.${d}`)]);
  const f = {
    documentType: field({
      label: t('register.documentType'),
      name: 'documentType',
      type: 'select',
      options: docOptions,
      value: 'CC',
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
      options: [['', '—'], ...GENDERS.map((g) => [g, t(`genders.${g}`)])],
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
      value: 'CC',
    }),
    'guardian.documentNumber': field({
      label: t('register.guardianDocumentNumber'),
      name: 'guardianDocumentNumber',
      attrs: { maxlength: '40' },
    }),
  };
  const consent = h('input', { type: 'checkbox', id: 'consent', name: 'consent', 'aria-describedby': 'consent-error' });
  const consentError = h('p', { class: 'field-error', id: 'consent-error', hidden: true });
  const guardianHint = h('p', { class: 'hint' });
  const guardianSet = h(
    'fieldset',
    { class: 'fieldset', hidden: true, 'data-guardian': '' },
    h('legend', {}, t('register.guardian', { adultAge: info.adultAge })),
    guardianHint,
    f['guardian.name'].wrap,
    f['guardian.documentType'].wrap,
    f['guardian.documentNumber'].wrap,
  );
  const termsNote = h('p', { class: 'hint', 'data-terms-version': '' });
  const message = messageArea({ assertive: true });
  message.clear();
  const submit = h('button', { type: 'submit', class: 'btn btn--primary' }, t('register.submit'));

  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-labelledby': 'register-title' },
    h(
      'fieldset',
      { class: 'fieldset' },
      h('legend', {}, t('register.personal')),
      f.documentType.wrap,
      f.documentNumber.wrap,
      f.firstName.wrap,
      f.lastName.wrap,
      f.birthDate.wrap,
      f.gender.wrap,
      f.phone.wrap,
      f.email.wrap,
    ),
    guardianSet,
    h(
      'fieldset',
      { class: 'fieldset' },
      h('legend', {}, t('register.consentTitle')),
      h(
        'details',
        { class: 'privacy' },
        h('summary', {}, t('register.consentLink')),
        t('howTo.privacy').map((p) => h('p', {}, p)),
      ),
      h('div', { class: 'check' }, consent, h('label', { for: 'consent' }, t('register.consentLabel'))),
      consentError,
      termsNote,
    ),
    message.el,
    h('div', { class: 'actions' }, submit),
  );

  view.append(
    h('h1', { id: 'register-title' }, t('register.title')),
    h('p', { class: 'lead' }, t('register.intro')),
    form,
  );

  const showTerms = () => {
    termsNote.textContent = t('howTo.termsVersion', { version: info.termsVersion });
    guardianSet.querySelector('legend').textContent = t('register.guardian', { adultAge: info.adultAge });
    guardianHint.textContent = t('register.guardianHint', { adultAge: info.adultAge });
  };
  showTerms();
  void loadServiceInfo().then((loaded) => {
    info = loaded;
    showTerms();
    if (!loaded.fromServer) termsNote.textContent += ` ${t('register.termsUnknown', { version: loaded.termsVersion })}`;
    updateGuardian();
  });

  function isMinor() {
    const age = ageOn(f.birthDate.input.value);
    return age !== null && age >= info.minRiderAge && age < info.adultAge;
  }
  function updateGuardian() {
    const minor = isMinor();
    guardianSet.hidden = !minor;
    for (const k of ['guardian.name', 'guardian.documentNumber']) f[k].input.required = minor;
  }
  f.birthDate.input.addEventListener('change', updateGuardian);
  f.birthDate.input.addEventListener('input', updateGuardian);

  function clearErrors() {
    for (const x of Object.values(f)) x.setError(null);
    consentError.hidden = true;
    consent.removeAttribute('aria-invalid');
    message.clear();
  }

  function localProblems() {
    const problems = [];
    for (const [name, x] of Object.entries(f)) {
      if (x.input.required && !x.input.value.trim()) problems.push([name, t('common.requiredField')]);
    }
    return problems;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(submit, async () => {
      clearErrors();
      const problems = localProblems();
      if (!consent.checked) {
        consentError.textContent = t('register.consentRequired');
        consentError.hidden = false;
        consent.setAttribute('aria-invalid', 'true');
      }
      if (problems.length || !consent.checked) {
        for (const [name, text] of problems) f[name].setError(text);
        message.set(t('register.fieldErrors'), 'error');
        (problems.length ? f[problems[0][0]].input : consent).focus();
        return;
      }
      const body = {
        documentType: f.documentType.input.value,
        documentNumber: f.documentNumber.input.value.trim(),
        firstName: f.firstName.input.value.trim(),
        lastName: f.lastName.input.value.trim(),
        birthDate: f.birthDate.input.value,
        gender: f.gender.input.value,
        phone: f.phone.input.value.trim(),
        ...(f.email.input.value.trim() ? { email: f.email.input.value.trim() } : {}),
        consent: { accepted: true, termsVersion: info.termsVersion },
        ...(isMinor()
          ? {
              guardian: {
                name: f['guardian.name'].input.value.trim(),
                documentType: f['guardian.documentType'].input.value,
                documentNumber: f['guardian.documentNumber'].input.value.trim(),
              },
            }
          : {}),
      };
      try {
        await api.post('/api/v1/riders', body, { auth: false });
        form.reset();
        updateGuardian();
        message.set(t('register.success'), 'success');
        message.el.setAttribute('tabindex', '-1');
        message.el.focus();
      } catch (error) {
        const fields = fieldProblems(error);
        let first = null;
        for (const p of fields) {
          const target = f[p.field] ?? (p.field.startsWith('consent') ? null : undefined);
          const text = (p.problems ?? []).join(' ');
          if (target) {
            target.setError(text);
            first ??= target.input;
          } else if (p.field.startsWith('consent')) {
            consentError.textContent = text;
            consentError.hidden = false;
            first ??= consent;
          }
        }
        if (error.code === 'GUARDIAN_REQUIRED') {
          guardianSet.hidden = false;
          first ??= f['guardian.name'].input;
        }
        message.set(
          fields.length ? `${errorMessage(error)} ${t('register.fieldErrors')}` : errorMessage(error),
          'error',
        );
        (first ?? message.el).focus?.();
      }
    });
  });
}
