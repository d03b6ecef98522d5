import { StationEntity } from '@metrobici/stations';
import { JoinColumn, ManyToOne, Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StaffRole } from '@metrobici/common';

/** A staff account: admin, station operator (promotor), planner, or a supervising agency (MDS, read-only). */
@Entity('staff_users')
@Check('CHK_staff_role', `"role" IN ('admin', 'operator', 'planner', 'agency')`)
export class StaffUserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased. */
  @Index('UQ_staff_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'full_name', type: 'varchar', length: 120, default: '' })
  fullName: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 12 })
  role: StaffRole;

  /** The operator's own station; ignored when `allStations` is set. */
  @Column({ name: 'home_station_id', type: 'uuid', nullable: true })
  homeStationId: string | null;

  @ManyToOne(() => StationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'home_station_id', foreignKeyConstraintName: 'FK_staff_home_station' })
  homeStation?: StationEntity;

  /** A roaming operator allowed at every station. */
  @Column({ name: 'all_stations', type: 'boolean', default: false })
  allStations: boolean;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /**
   * Bumped by a password change, a deactivation or a change of role or stations: tokens carry the
   * version they were issued under, so every older token (and socket) stops at once.
   */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
