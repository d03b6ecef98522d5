// The dashboard's blocks: a titled section each, showing "loading", its content, or why it cannot
// (an endpoint the server does not have yet says so quietly; other errors in Spanish).
import { t } from '../../i18n/index.js';
import { ApiError, errorMessage } from '../../lib/api.js';
import { h, replace } from '../../lib/dom.js';

export function createBlocks() {
  const bodies = {};
  return {
    block(key, title, extraClass = '') {
      const body = h('div', { class: 'block__body', 'aria-busy': 'false' });
      bodies[key] = body;
      return h(
        'section',
        { class: `panel block ${extraClass}`, 'aria-labelledby': `b-${key}`, 'data-block': key },
        h('h2', { id: `b-${key}` }, title),
        body,
      );
    },
    show(key, ...children) {
      replace(bodies[key], ...children);
      bodies[key].setAttribute('aria-busy', 'false');
    },
    /** Every block says it is loading. */
    loading() {
      for (const body of Object.values(bodies)) {
        body.setAttribute('aria-busy', 'true');
        replace(body, h('p', { class: 'loading' }, t('planner.loading')));
      }
    },
    problem(key, error) {
      const missing = error instanceof ApiError && error.status === 404;
      this.show(
        key,
        h(
          'p',
          { class: `message message--${missing ? 'info' : 'error'}`, 'data-unavailable': missing ? '' : undefined },
          missing ? t('planner.notAvailable') : errorMessage(error),
        ),
      );
    },
    empty(key) {
      this.show(key, h('p', { class: 'empty' }, t('planner.noData')));
    },
  };
}
