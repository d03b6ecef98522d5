// The fleet CSV import through the API: one row at a time, with a line-by-line report.
import { t } from '../../i18n/index.js';
import { api, ApiError, errorMessage } from '../../lib/api.js';
import { field, h, panel, replace } from '../../lib/dom.js';
import { parseCsv } from '../../lib/csv.js';
import { feedbackArea, send } from '../../lib/request.js';

const REQUIRED_COLUMNS = ['code', 'donor_code', 'station_code'];

/** Registers one CSV record; the Spanish result for the report. */
async function importRecord(record, byCode) {
  const stationId = byCode.get((record.station_code ?? '').trim().toUpperCase());
  if (!stationId) throw new ApiError({ status: 404, code: 'STATION_NOT_FOUND', message: '' });
  await api.post('/api/v1/bikes', {
    code: record.code.trim().toUpperCase(),
    donor: record.donor_code.trim(),
    stationId,
  });
}

/** `stationsByCode()`: station code → id; `reload()`: the bike list. */
export function importPanel({ stationsByCode, reload }) {
  const file = field({ label: t('admin.importFile'), name: 'csv', type: 'file', attrs: { accept: '.csv,text/csv' } });
  const button = h('button', { type: 'submit', class: 'btn' }, t('admin.importRun'));
  const form = h(
    'form',
    { class: 'form form--inline', novalidate: true },
    file.wrap,
    h('div', { class: 'field field--button' }, button),
  );
  const message = feedbackArea();
  const log = h('ol', { class: 'import-log', 'aria-label': t('admin.importTitle') });

  async function run() {
    replace(log);
    const chosen = file.input.files?.[0];
    if (!chosen) {
      file.setError(t('common.requiredField'));
      file.input.focus();
      return;
    }
    file.setError(null);
    const { header, rows } = parseCsv(await chosen.text());
    const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
    if (missing.length) {
      message.set(t('admin.importMissingColumns', { columns: missing.join(', ') }), 'error');
      return;
    }
    message.set(t('admin.importPreview', { n: rows.length }), 'info');
    const byCode = stationsByCode();
    let ok = 0;
    let failed = 0;
    // One row at a time: a clear per-line report, and no burst against the API.
    for (const { line, record } of rows) {
      let result = t('admin.importOk');
      try {
        await importRecord(record, byCode);
        ok++;
      } catch (error) {
        failed++;
        result = errorMessage(error);
      }
      const text = t('admin.importRow', { line, result: `${record.code ?? ''} ${result}` });
      log.append(h('li', { class: result === t('admin.importOk') ? 'ok' : 'error' }, text));
    }
    message.set(t('admin.importSummary', { ok, failed }), failed ? 'error' : 'success');
    await reload();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void send(button, { message, request: run });
  });

  return panel(
    'fl-imp',
    t('admin.importTitle'),
    h('p', {}, t('admin.importIntro')),
    form,
    message.el,
    log,
    h('p', { class: 'hint' }, t('admin.importCli')),
  );
}
