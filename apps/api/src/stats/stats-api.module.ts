import { Module } from '@nestjs/common';
import { StatsModule } from '@metrobici/stats';
import { FailedJobsService } from './failed-jobs.service';
import { JobsController } from './jobs.controller';
import { StatsController } from './stats.controller';

/** Planner KPIs (`/api/v1/stats/*`) and the admins' dead-letter view of the worker queues. */
@Module({ imports: [StatsModule], controllers: [StatsController, JobsController], providers: [FailedJobsService] })
export class StatsApiModule {}
