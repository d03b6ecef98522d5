/**
 * HTTP details of the MDS API: `Accept` negotiation (MDS versions by major) and the spec's error
 * body (`{error, error_description, error_details}`; parameter errors also name the `item`).
 */

/** Whether an Accept header allows the MDS 2.x answer in this format. */
export function acceptsMds(header: string | undefined, format: 'json' | 'csv'): boolean {
  if (!header || !header.trim()) return true;
  const [family, generic, mds] =
    format === 'json'
      ? ['application', 'application/json', 'application/vnd.mds+json']
      : ['text', 'text/csv', 'text/vnd.mds+csv'];
  return header.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const param = (name: string) =>
      params
        .find((p) => p.startsWith(`${name}=`))
        ?.slice(name.length + 1)
        .replace(/^"|"$/g, '');
    if (param('q') !== undefined && Number(param('q')) === 0) return false;
    if (type === '*/*' || type === `${family}/*` || type === generic) return true;
    if (type !== mds) return false;
    const version = param('version');
    return version === undefined || version.split('.')[0] === '2';
  });
}

export function mdsError(
  status: number,
  error: string,
  description: string,
  details: string[],
  item?: string,
): { status: number; body: Record<string, unknown> } {
  return {
    status,
    body: { error, error_description: description, error_details: details, ...(item ? { item } : {}) },
  };
}
