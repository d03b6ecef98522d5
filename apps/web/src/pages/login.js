// Staff sign-in: e-mail + password → bearer token (sessionStorage) → the role's home page.
import { t } from '../i18n/index.js';
import { api } from '../lib/api.js';
import { field, h, messageArea } from '../lib/dom.js';
import { LocalProblem, refuse, sendOnSubmit } from '../lib/request.js';
import { homeFor, session } from '../lib/session.js';

export function renderLogin(view, { navigate, flash }) {
  const email = field({
    label: t('login.email'),
    name: 'email',
    type: 'email',
    required: true,
    attrs: { autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false' },
  });
  const password = field({
    label: t('login.password'),
    name: 'password',
    type: 'password',
    required: true,
    attrs: { autocomplete: 'current-password' },
  });
  const message = messageArea({ assertive: true });
  if (flash) message.set(flash, 'info');
  else message.clear();
  const submit = h('button', { type: 'submit', class: 'btn btn--primary' }, t('login.submit'));
  const form = h(
    'form',
    { class: 'form form--narrow', novalidate: true, 'aria-labelledby': 'login-title', 'data-login-form': '' },
    email.wrap,
    password.wrap,
    message.el,
    h('div', { class: 'actions' }, submit),
  );
  view.append(h('h1', { id: 'login-title' }, t('login.title')), h('p', { class: 'lead' }, t('login.intro')), form);

  /** An empty field is marked under itself (no message) and gets the focus. */
  const required = (f, value) => {
    if (value) return;
    f.setError(t('common.requiredField'));
    refuse('', f.input);
  };
  sendOnSubmit(form, submit, {
    message,
    request: async () => {
      email.setError(null);
      password.setError(null);
      required(email, email.input.value.trim());
      required(password, password.input.value);
      // With sessions the answer also carries `refreshToken` and `expiresIn` (lib/session.js).
      const tokens = await api.post(
        '/api/v1/auth/login',
        { email: email.input.value.trim(), password: password.input.value },
        { auth: false },
      );
      const actor = await api.get('/api/v1/auth/me', {
        headers: { Authorization: `Bearer ${tokens.accessToken}` },
        auth: false,
      });
      return { tokens, actor };
    },
    after: ({ tokens, actor }) => {
      session.start(tokens, actor);
      const after = sessionStorage.getItem('metrobici.after-login');
      sessionStorage.removeItem('metrobici.after-login');
      navigate(after && after !== '#/ingresar' ? after : homeFor(actor.role));
    },
    onError: (error) => {
      if (error instanceof LocalProblem) return;
      password.input.value = '';
      password.input.focus();
    },
  });

  if (session.signedIn) {
    message.set(t('nav.signedInAs', { email: session.actor.email, role: t(`roles.${session.actor.role}`) }), 'info');
  }
  email.input.focus();
}
