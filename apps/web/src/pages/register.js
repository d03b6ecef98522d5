// Self-registration (POST /api/v1/riders) with the Ley 1581 consent and, for minors, the guardian.
// The ages, terms version, document types and genders are the server's (GET /api/v1/service-info).
import { t } from '../i18n/index.js';
import { api, errorMessage, fieldProblems } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { ageOn } from '../lib/format.js';
import { feedbackArea, LocalProblem, send } from '../lib/request.js';
import { loadServiceInfo } from '../lib/service-info.js';
import { consentFieldset, guardianFieldset, registrationFields } from '../panels/register/fields.js';

const PERSONAL = ['documentType', 'documentNumber', 'firstName', 'lastName', 'birthDate', 'gender', 'phone', 'email'];

export async function renderRegister(view) {
  const info = await loadServiceInfo();
  const f = registrationFields(info);
  const guardianSet = guardianFieldset(info, f);
  const consent = consentFieldset(info);
  const message = feedbackArea();
  const submit = h('button', { type: 'submit', class: 'btn btn--primary' }, t('register.submit'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'aria-labelledby': 'register-title' },
    h(
      'fieldset',
      { class: 'fieldset' },
      h('legend', {}, t('register.personal')),
      PERSONAL.map((name) => f[name].wrap),
    ),
    guardianSet,
    consent.el,
    message.el,
    h('div', { class: 'actions' }, submit),
  );
  view.append(
    h('h1', { id: 'register-title' }, t('register.title')),
    h('p', { class: 'lead' }, t('register.intro')),
    form,
  );

  const isMinor = () => {
    const age = ageOn(f.birthDate.input.value);
    return age !== null && age >= info.minRiderAge && age < info.adultAge;
  };
  function updateGuardian() {
    const minor = isMinor();
    guardianSet.hidden = !minor;
    for (const k of ['guardian.name', 'guardian.documentNumber', 'guardian.birthDate']) f[k].input.required = minor;
  }
  f.birthDate.input.addEventListener('change', updateGuardian);
  f.birthDate.input.addEventListener('input', updateGuardian);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(submit, {
      message,
      request: () => {
        checkLocally(f, consent);
        return api.post('/api/v1/riders', registration(f, info, isMinor(), consent.purposes()), { auth: false });
      },
      success: () => t('register.success'),
      describe: (error) =>
        fieldProblems(error).length ? `${errorMessage(error)} ${t('register.fieldErrors')}` : errorMessage(error),
      after: () => {
        form.reset();
        updateGuardian();
        message.el.setAttribute('tabindex', '-1');
        message.el.focus();
      },
      onError: (error) => {
        if (error instanceof LocalProblem) return;
        if (error.code === 'GUARDIAN_REQUIRED' || error.code === 'GUARDIAN_NOT_ADULT') guardianSet.hidden = false;
        const first =
          showServerProblems(error, f, consent) ??
          (error.code === 'GUARDIAN_REQUIRED' ? f['guardian.name'].input : null);
        (first ?? message.el).focus?.();
      },
    });
  });
}

/** Marks the empty required fields and a missing consent; refuses (focusing the first) if any. */
function checkLocally(f, consent) {
  for (const x of Object.values(f)) x.setError(null);
  consent.setError(null);
  const empty = Object.entries(f).filter(([, x]) => x.input.required && !x.input.value.trim());
  for (const [, x] of empty) x.setError(t('common.requiredField'));
  if (!consent.input.checked) consent.setError(t('register.consentRequired'));
  if (empty.length || !consent.input.checked) {
    throw new LocalProblem(t('register.fieldErrors'), empty.length ? empty[0][1].input : consent.input);
  }
}

/** The request body, trimmed; the guardian only for a minor; the purposes the person ticked. */
function registration(f, info, minor, purposes) {
  const value = (name) => f[name].input.value.trim();
  return {
    documentType: f.documentType.input.value,
    documentNumber: value('documentNumber'),
    firstName: value('firstName'),
    lastName: value('lastName'),
    birthDate: f.birthDate.input.value,
    gender: f.gender.input.value,
    phone: value('phone'),
    ...(value('email') ? { email: value('email') } : {}),
    consent: { accepted: true, termsVersion: info.termsVersion, purposes },
    ...(minor
      ? {
          guardian: {
            name: value('guardian.name'),
            documentType: f['guardian.documentType'].input.value,
            documentNumber: value('guardian.documentNumber'),
            birthDate: f['guardian.birthDate'].input.value,
          },
        }
      : {}),
  };
}

/** The server's problems next to their fields (consent ones under the checkbox); the first one's input. */
function showServerProblems(error, f, consent) {
  let first = null;
  for (const p of fieldProblems(error)) {
    const text = (p.problems ?? []).join(' ');
    if (f[p.field]) {
      f[p.field].setError(text);
      first ??= f[p.field].input;
    } else if (p.field.startsWith('consent')) {
      consent.setError(text);
      first ??= consent.input;
    }
  }
  return first;
}
