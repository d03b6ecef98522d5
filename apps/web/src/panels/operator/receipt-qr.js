// The rider's receipt after a check-out: the QR code (an SVG drawn by the server) and the short
// link to the public page (due time, renewal rule, stations with free spaces). The token is only
// in the check-out's answer — the server keeps a hash — so this is the one moment to show it.
import { t } from '../../i18n/index.js';
import { h } from '../../lib/dom.js';

/** The link as the rider will type it: absolute (the server's public URL, or this origin). */
export function receiptLink(receipt) {
  return new URL(receipt.url ?? `/#/recibo/${receipt.token}`, location.origin).href;
}

/** `loan`: the check-out answer; null when it carries no receipt (an older API). */
export function receiptBlock(loan) {
  const receipt = loan?.receipt;
  if (!receipt?.token) return null;
  const link = receiptLink(receipt);
  return h(
    'figure',
    { class: 'receipt-qr', 'data-receipt-token': receipt.token },
    h('img', {
      src: `/api/v1/receipts/${encodeURIComponent(receipt.token)}/qr.svg`,
      alt: t('receiptQr.alt', { bike: loan.bikeCode }),
      width: '160',
      height: '160',
      'data-receipt-qr': '',
    }),
    h(
      'figcaption',
      {},
      h('p', {}, t('receiptQr.caption')),
      h('p', {}, h('a', { href: link, target: '_blank', rel: 'noopener', 'data-receipt-link': '' }, link)),
    ),
  );
}
