// What the operator's panels share: the stations this staff member may act at, a bike-code field,
// a rider's document fields, a reason field and a station select — the same labels and limits as
// the API's DTOs.
import { t } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { field } from '../../lib/dom.js';
import { documentTypeOptions } from '../../lib/service-info.js';
import { refuse } from '../../lib/request.js';
import { normaliseCode } from './context.js';

export const BIKE_CODE_ATTRS = {
  autocomplete: 'off',
  autocapitalize: 'characters',
  spellcheck: 'false',
  maxlength: '32',
};

/** A rider's document type (from `/service-info`) and number, under the given field names. */
export function documentFields(info, { typeName, numberName, numberAttrs }) {
  const options = documentTypeOptions(info, 'short');
  const docType = field({
    label: t('operator.documentType'),
    name: typeName,
    type: 'select',
    options,
    value: options[0]?.[0],
  });
  const docNumber = field({
    label: t('operator.documentNumber'),
    name: numberName,
    attrs: { autocomplete: 'off', maxlength: '40', ...numberAttrs },
  });
  return { docType, docNumber };
}

/** The stations of the signed-in staff member (all for an admin), public ones first, by name. */
export async function stationsFor(actor) {
  const all = await api.get('/api/v1/stations/all');
  return all
    .filter((s) => actor.stationIds === null || actor.stationIds?.includes(s.id))
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'es') : a.kind === 'station' ? -1 : 1));
}

export function bikeCodeField(name, label = t('operator.bikeCode')) {
  return field({ label, name, attrs: { ...BIKE_CODE_ATTRS, [`data-${name}`]: '' } });
}

/** The code typed, or a refusal that puts the focus back on the field. */
export function bikeCodeOf(codeField) {
  const code = normaliseCode(codeField.input.value);
  if (!code) refuse(t('operator.needBike'), codeField.input);
  return code;
}

/** A reason of 3 to 500 characters (the API's CorrectionRequestDto). */
export function reasonField(name, label = t('corrections.reason')) {
  return field({
    label,
    name,
    type: 'textarea',
    hint: t('corrections.reasonHint'),
    attrs: { rows: '2', maxlength: '500', [`data-${name}`]: '' },
  });
}

export function reasonOf(reasonField) {
  const text = reasonField.input.value.trim();
  if (text.length < 3) refuse(t('corrections.needReason'), reasonField.input);
  return text;
}

/** A select of `stations` (`publicOnly`: no depots), preselecting `selected`. */
export function stationSelect(name, label, stations, { selected, publicOnly = false } = {}) {
  const options = stations
    .filter((s) => !publicOnly || s.kind === 'station')
    .map((s) => [s.id, s.kind === 'depot' ? `${s.name} ${t('operator.depot')}` : s.name]);
  return field({
    label,
    name,
    type: 'select',
    options,
    value: options.some(([id]) => id === selected) ? selected : options[0]?.[0],
    attrs: { [`data-${name}`]: '' },
  });
}
