import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '@metrobici/common';
import { LoanService } from '@metrobici/loans';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';
import {
  CheckOutRequestDto,
  CorrectionRequestDto,
  ForceReturnRequestDto,
  ListLoansQueryDto,
  RenewRequestDto,
  ReportMissingRequestDto,
  ReturnRequestDto,
} from './loan.dto';

import { IDEMPOTENCY_HEADER, IdempotencyKeyHeader, idempotencyKey, sendIdempotent } from '../common/idempotency-key';

@ApiTags('loans')
@ApiBearerAuth()
@Controller('api/v1')
export class LoansController {
  constructor(private readonly loans: LoanService) {}

  @Post('loans')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Check a bike out to a rider at a station' })
  @IdempotencyKeyHeader()
  async checkOut(
    @CurrentActor() actor: Actor,
    @Body() body: CheckOutRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.loans.checkOut(actor, body, idempotencyKey(key)));
  }

  @Post('returns')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Return a bike at a station' })
  @IdempotencyKeyHeader()
  async returnBike(
    @CurrentActor() actor: Actor,
    @Body() body: ReturnRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.loans.returnBike(actor, body, idempotencyKey(key)));
  }

  @Post('loans/:id/renew')
  @HttpCode(201)
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Hourly renewal: close this trip at the station and open the next one of the journey' })
  @IdempotencyKeyHeader()
  async renew(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: RenewRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.loans.renew(actor, id, body, idempotencyKey(key)));
  }

  @Post('loans/:id/revert')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @IdempotencyKeyHeader()
  async revert(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: CorrectionRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.loans.revertCheckOut(actor, id, body, idempotencyKey(key)));
  }

  @Post('loans/:id/force-return')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @IdempotencyKeyHeader()
  async forceReturn(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: ForceReturnRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.loans.forceReturn(actor, id, body, idempotencyKey(key)));
  }

  @Post('loans/:id/report-missing')
  @HttpCode(200)
  @Roles('operator', 'admin')
  @ApiOperation({
    summary:
      'A bike never returned: closes the loan as bike_missing (not a trip), marks the bike missing and suspends the rider until an admin reviews',
  })
  @IdempotencyKeyHeader()
  async reportMissing(
    @CurrentActor() actor: Actor,
    @Param('id', UuidPipe) id: string,
    @Body() body: ReportMissingRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendIdempotent(res, await this.loans.reportMissing(actor, id, body, idempotencyKey(key)));
  }

  // Not for planners: loans carry riders' names and documents (their KPIs come from /stats).
  @Get('loans')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Open, overdue or closed loans (operators: of their stations, or one bike by code)' })
  list(@CurrentActor() actor: Actor, @Query() query: ListLoansQueryDto) {
    return this.loans.list(actor, query);
  }

  @Get('loans/:id')
  @Roles('operator', 'admin')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.loans.get(actor, id);
  }
}
