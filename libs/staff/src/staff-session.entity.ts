import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { StaffUserEntity } from './staff-user.entity';

/**
 * One sign-in of a staff member (a shift on a tablet): it lasts STAFF_SESSION_HOURS from the login
 * whatever the refreshes, ends at logout, when an admin revokes it, when a refresh token is reused
 * (theft), or when the account's token version moves on (deactivation, password or role change).
 */
@Entity('staff_sessions')
@Index('IDX_staff_sessions_staff', ['staffId', 'createdAt'])
export class StaffSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'staff_id', type: 'uuid' })
  staffId: string;

  @ManyToOne(() => StaffUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'staff_id', foreignKeyConstraintName: 'FK_staff_sessions_staff' })
  staff?: StaffUserEntity;

  /** The account's token version at sign-in: a later bump ends the session. */
  @Column({ name: 'token_version', type: 'integer' })
  tokenVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** logout | revoked | refresh_reused */
  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason: string | null;

  @Column({ name: 'revoked_by', type: 'uuid', nullable: true })
  revokedBy: string | null;

  /** The browser that signed in (for the admins' session list), cut to 200 characters. */
  @Column({ name: 'user_agent', type: 'varchar', length: 200, nullable: true })
  userAgent: string | null;
}

/**
 * Refresh tokens of a session, as SHA-256 hashes only (the token itself is 256 random bits). A
 * token is used once: the refresh marks it used and issues the next; presenting a used one again
 * means two holders, and the whole session (the token family) is revoked.
 */
@Entity('staff_refresh_tokens')
@Index('IDX_staff_refresh_tokens_session', ['sessionId'])
export class StaffRefreshTokenEntity {
  /** Hex SHA-256 of the token. */
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => StaffSessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'FK_staff_refresh_tokens_session' })
  session?: StaffSessionEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
