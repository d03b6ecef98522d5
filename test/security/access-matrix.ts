import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The roles of the matrix, in the README's column order. */
export const MATRIX_ROLES = ['anonymous', 'otherOperator', 'operator', 'planner', 'agency', 'admin'] as const;
export type MatrixRole = (typeof MATRIX_ROLES)[number];

export interface MatrixRoute extends Record<MatrixRole, 'yes' | 'no'> {
  /** `METHOD /path` as in the OpenAPI document. */
  route: string;
  note?: string;
  /** How the walk calls it: path with `{fixture}` placeholders (default: the route's path), body. */
  request?: { path?: string; body?: unknown };
}

const COLUMN_TITLES: Record<MatrixRole, string> = {
  anonymous: 'anonymous',
  otherOperator: 'operator, other station',
  operator: 'operator',
  planner: 'planner',
  agency: 'agency',
  admin: 'admin',
};

/** docs/access-matrix.json: the one source of "who may call what" (jest runs from the repository root). */
export function loadAccessMatrix(): MatrixRoute[] {
  const doc = JSON.parse(readFileSync(join(process.cwd(), 'docs', 'access-matrix.json'), 'utf8')) as {
    routes: MatrixRoute[];
  };
  return doc.routes;
}

/** The README table, as generated from the matrix (the README section must contain exactly this). */
export function renderAccessTable(routes: MatrixRoute[]): string {
  const mark = (v: 'yes' | 'no') => (v === 'yes' ? '✓' : '—');
  const header = `| route | ${MATRIX_ROLES.map((r) => COLUMN_TITLES[r]).join(' | ')} | notes |`;
  const rule = `| --- | ${MATRIX_ROLES.map(() => ':-:').join(' | ')} | --- |`;
  const rows = routes.map(
    (r) => `| \`${r.route}\` | ${MATRIX_ROLES.map((role) => mark(r[role])).join(' | ')} | ${r.note ?? ''} |`,
  );
  return [header, rule, ...rows].join('\n');
}
