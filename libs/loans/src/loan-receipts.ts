import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { LoanReceiptEntity } from './loan-receipt.entity';

/** What the operator shows the rider after a check-out (a QR code of `url`). */
export interface ReceiptLink {
  token: string;
  /** PUBLIC_BASE_URL + `/#/recibo/<token>`, or that path alone when no public address is set. */
  url: string;
}

/** The public receipt: the bike and its times, never who rides it. */
export interface ReceiptView {
  bikeCode: string;
  /** open | overdue */
  state: 'open' | 'overdue';
  /** Start of the current segment (the check-out or the last renewal). */
  startedAt: string;
  dueAt: string;
  journeyStartedAt: string;
  /** Report at a station every this many minutes (LOAN_MAX_MINUTES) to renew. */
  renewalRuleMinutes: number;
  renewalRule: string;
  /** Where the current segment started. */
  station: { id: string; code: string; name: string; lat: number; lon: number };
  /** The server's time, so a page can count down with a wrong device clock. */
  serverTime: string;
}

const TOKEN = /^[A-Za-z0-9_-]{32}$/;

export function receiptTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new receipt: the link to show, and the row to store (`loan_receipts` keeps only the token's hash). */
export function newReceipt(publicBaseUrl: string | undefined): { link: ReceiptLink; tokenHash: string } {
  const token = randomBytes(24).toString('base64url');
  return { link: { token, url: receiptUrl(token, publicBaseUrl) }, tokenHash: receiptTokenHash(token) };
}

/** The receipt row as the body of a CTE in the caller's (check-out) statement. */
export function receiptInsertSql(tokenHash: string, journeyId: string, param: (value: unknown) => string): string {
  return `INSERT INTO loan_receipts (token_hash, journey_id) VALUES (${param(tokenHash)}, ${param(journeyId)}::uuid)`;
}

/** Creates the journey's receipt in the caller's (check-out) transaction. */
export async function createReceipt(
  manager: EntityManager,
  journeyId: string,
  publicBaseUrl: string | undefined,
): Promise<ReceiptLink> {
  const receipt = newReceipt(publicBaseUrl);
  await manager.insert(LoanReceiptEntity, { tokenHash: receipt.tokenHash, journeyId });
  return receipt.link;
}

export function receiptUrl(token: string, publicBaseUrl: string | undefined): string {
  const path = `/#/recibo/${token}`;
  return publicBaseUrl ? `${publicBaseUrl.replace(/\/+$/, '')}${path}` : path;
}

function notFound(): DomainError {
  return new DomainError('RECEIPT_NOT_FOUND', 'El recibo no existe o el préstamo ya terminó.');
}

@Injectable()
export class ReceiptService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The open segment of the token's journey; RECEIPT_NOT_FOUND for an unknown token or an ended journey. */
  async get(token: string): Promise<ReceiptView> {
    if (!TOKEN.test(token)) throw notFound();
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT b.code AS bike_code, l.started_at, l.due_at, s.id AS station_id, s.code AS station_code,
              s.name AS station_name, s.lat, s.lon,
              (SELECT min(j.started_at) FROM loans j WHERE j.journey_id = l.journey_id) AS journey_started_at
         FROM loan_receipts r
         JOIN loans l ON l.journey_id = r.journey_id AND l.state = 'open'
         JOIN bikes b ON b.id = l.bike_id
         JOIN stations s ON s.id = l.from_station_id
        WHERE r.token_hash = $1`,
      [receiptTokenHash(token)],
    );
    const row = rows[0];
    if (!row) throw notFound();
    const now = this.clock.now();
    const due = new Date(row.due_at);
    const minutes = this.config.loans.maxMinutes;
    return {
      bikeCode: row.bike_code,
      state: due < now ? 'overdue' : 'open',
      startedAt: new Date(row.started_at).toISOString(),
      dueAt: due.toISOString(),
      journeyStartedAt: new Date(row.journey_started_at).toISOString(),
      renewalRuleMinutes: minutes,
      renewalRule: `Preséntese en cualquier estación antes de ${minutes} minutos para renovar el préstamo o devolver la bicicleta.`,
      station: {
        id: row.station_id,
        code: row.station_code,
        name: row.station_name,
        lat: Number(row.lat),
        lon: Number(row.lon),
      },
      serverTime: now.toISOString(),
    };
  }
}
