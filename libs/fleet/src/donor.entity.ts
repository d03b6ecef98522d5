import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who gave bikes to the pilot; every bike keeps its donor for the donors' usage reports. */
@Entity('donors')
export class DonorEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('UQ_donors_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;
}
