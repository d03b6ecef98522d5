import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The rider's receipt of a journey (a check-out and its renewals): a public page reached with an
 * unguessable token (192 random bits), of which only the SHA-256 hash is kept. It shows the open
 * segment while the journey lasts and nothing once it has ended.
 */
@Entity('loan_receipts')
export class LoanReceiptEntity {
  /** Hex SHA-256 of the token. */
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Index('UQ_loan_receipts_journey', { unique: true })
  @Column({ name: 'journey_id', type: 'uuid' })
  journeyId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
