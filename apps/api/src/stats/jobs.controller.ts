import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@metrobici/common';
import { Roles } from '../auth/auth.decorators';
import { FailedJobsService } from './failed-jobs.service';
import { FailedJobsQueryDto } from './stats.dto';

const QUEUE = /^[a-z0-9._-]{1,64}$/;
const JOB_ID = /^[A-Za-z0-9:._-]{1,128}$/;

/** Dead-letter view of the worker's queues, for admins. */
@ApiTags('stats')
@ApiBearerAuth()
@Controller('api/v1/stats/jobs')
@Roles('admin')
export class JobsController {
  constructor(private readonly jobs: FailedJobsService) {}

  @Get('failed')
  @ApiOperation({ summary: 'Failed jobs of the worker queues, most recent first' })
  failed(@Query() query: FailedJobsQueryDto) {
    return this.jobs.list(query);
  }

  @Post(':queue/:id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a failed job back to its queue with fresh attempts' })
  retry(@Param('queue') queue: string, @Param('id') id: string) {
    if (!QUEUE.test(queue) || !JOB_ID.test(id)) {
      throw new DomainError('VALIDATION_FAILED', 'La solicitud tiene datos inválidos.', {
        fields: [{ field: 'queue/id', problems: ['not a queue name or job id'] }],
      });
    }
    return this.jobs.retry(queue, id);
  }
}
