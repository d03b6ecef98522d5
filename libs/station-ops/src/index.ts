export * from './shift.entity';
export * from './incident.entity';
export * from './shift.service';
export * from './incident.service';
export * from './station-report.service';
export * from './station-ops.module';
