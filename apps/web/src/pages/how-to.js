// How to use the service, and the privacy notice (Ley 1581 de 2012).
import { fill, t } from '../i18n/index.js';
import { h } from '../lib/dom.js';
import { documentCodesText, loadServiceInfo, openingHoursLines } from '../lib/service-info.js';

export async function renderHowTo(view) {
  const info = await loadServiceInfo();
  const steps = t('howTo.steps').map((s) => fill(s, { documentTypes: documentCodesText(info) }));
  view.append(
    h('h1', {}, t('howTo.title')),
    h(
      'div',
      { class: 'prose' },
      h(
        'section',
        { 'aria-labelledby': 'h-free' },
        h('h2', { id: 'h-free' }, t('howTo.freeTitle')),
        h('p', {}, t('howTo.free')),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-hours' },
        h('h2', { id: 'h-hours' }, t('howTo.hoursTitle')),
        h(
          'ul',
          { 'data-opening-hours': '' },
          openingHoursLines(info.openingHours).map((line) => h('li', {}, line)),
        ),
        h('p', {}, t('howTo.hoursNote')),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-hourly' },
        h('h2', { id: 'h-hourly' }, t('howTo.hourlyTitle')),
        h('p', {}, t('howTo.hourly', { minutes: info.loanMaxMinutes })),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-age' },
        h('h2', { id: 'h-age' }, t('howTo.ageTitle')),
        h('p', {}, t('howTo.age', { minAge: info.minRiderAge, adultMinus: info.adultAge - 1 })),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-steps' },
        h('h2', { id: 'h-steps' }, t('howTo.stepsTitle')),
        h(
          'ol',
          {},
          steps.map((s) => h('li', {}, s)),
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'privacidad', id: 'aviso-privacidad' },
        h('h2', { id: 'privacidad' }, t('howTo.privacyTitle')),
        t('howTo.privacy').map((p) => h('p', {}, p)),
        h('p', { class: 'hint' }, t('howTo.termsVersion', { version: info.termsVersion })),
      ),
      h('p', {}, h('a', { class: 'btn', href: '#/registro' }, t('howTo.registerCta'))),
    ),
  );
}
