import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { Actor } from '@metrobici/common';
import { ExportService } from '@metrobici/exports';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../common/uuid.pipe';
import { CreateExportRequestDto, ListExportsQueryDto, TripsCsvQueryDto } from './export.dto';

@ApiTags('exports')
@ApiBearerAuth()
@Roles('planner', 'admin')
@Controller('api/v1/exports')
export class ExportsController {
  constructor(private readonly exports: ExportService) {}

  // Declared before `:id` so the literal path wins.
  @Get('trips.csv')
  @ApiOperation({
    summary:
      'Trips of a range of local days as CSV, streamed: no rider attribute, no loan ids, synthetic only if asked',
  })
  @ApiProduces('text/csv')
  async tripsCsv(@CurrentActor() actor: Actor, @Query() query: TripsCsvQueryDto, @Res() res: Response): Promise<void> {
    try {
      await this.exports.streamTripsCsv(actor, query, res, () => {
        res.status(200);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="metrobici-trips-${query.from}_${query.to}.csv"`);
        res.setHeader('Cache-Control', 'no-store');
      });
    } catch (error) {
      // Once the body has started, an error can only cut the download short (the client sees it).
      if (res.headersSent) {
        res.destroy(error as Error);
        return;
      }
      throw error;
    }
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Request a data package (public: queued at once; research: waits for an admin approval); built by the worker',
  })
  request(@CurrentActor() actor: Actor, @Body() body: CreateExportRequestDto) {
    return this.exports.request(actor, body);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'An admin approves a research package, which is then built (logged in the audit)' })
  approve(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.exports.approve(actor, id);
  }

  @Get()
  @ApiOperation({ summary: 'Data packages, newest first' })
  list(@CurrentActor() actor: Actor, @Query() query: ListExportsQueryDto) {
    return this.exports.list(actor, query.limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'State and progress of a data package' })
  get(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string) {
    return this.exports.get(actor, id);
  }

  @Get(':id/download')
  @ApiOperation({ summary: 'The zip of a completed data package (409 while it is being built)' })
  @ApiProduces('application/zip')
  async download(@CurrentActor() actor: Actor, @Param('id', UuidPipe) id: string, @Res() res: Response): Promise<void> {
    const file = await this.exports.download(actor, id);
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Length', String(file.sizeBytes));
    res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(createReadStream(file.path), res);
    } catch (error) {
      res.destroy(error as Error);
    }
  }
}
