import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type Actor, DomainError } from '@metrobici/common';
import { LoanService } from '@metrobici/loans';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';
import {
  CheckOutRequestDto,
  CorrectionRequestDto,
  ForceReturnRequestDto,
  ListLoansQueryDto,
  RenewRequestDto,
  ReturnRequestDto,
} from './loan.dto';

const IDEMPOTENCY_HEADER = 'idempotency-key';

@ApiTags('loans')
@ApiBearerAuth()
@Controller('api/v1')
export class LoansController {
  constructor(private readonly loans: LoanService) {}

  @Post('loans')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Check a bike out to a rider at a station' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key gets the first answer again',
  })
  async checkOut(
    @CurrentActor() actor: Actor,
    @Body() body: CheckOutRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.loans.checkOut(actor, body, idempotencyKey(key));
    res.status(result.status);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Post('returns')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Return a bike at a station' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async returnBike(
    @CurrentActor() actor: Actor,
    @Body() body: ReturnRequestDto,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.loans.returnBike(actor, body, idempotencyKey(key));
    res.status(result.status);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Post('loans/:id/renew')
  @HttpCode(201)
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'Hourly renewal: close this trip at the station and open the next one of the journey' })
  renew(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: RenewRequestDto) {
    return this.loans.renew(actor, id, body);
  }

  @Post('loans/:id/revert')
  @HttpCode(200)
  @Roles('operator', 'admin')
  revert(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: CorrectionRequestDto) {
    return this.loans.revertCheckOut(actor, id, body);
  }

  @Post('loans/:id/force-return')
  @HttpCode(200)
  @Roles('operator', 'admin')
  forceReturn(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Body() body: ForceReturnRequestDto) {
    return this.loans.forceReturn(actor, id, body);
  }

  @Get('loans')
  @Roles('operator', 'admin', 'planner')
  @ApiOperation({ summary: 'Open, overdue or closed loans' })
  list(@CurrentActor() actor: Actor, @Query() query: ListLoansQueryDto) {
    return this.loans.list(actor, query);
  }

  @Get('loans/:id')
  @Roles('operator', 'admin', 'planner')
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.loans.get(actor, id);
  }
}

function idempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[\w.:-]{8,128}$/.test(raw)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'Idempotency-Key debe tener 8 a 128 caracteres (letras, dígitos, . : _ -).',
    );
  }
  return raw;
}
