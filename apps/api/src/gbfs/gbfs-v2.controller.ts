import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '@metrobici/common';
import { GBFS_V2_FEEDS, type GbfsV2FeedName, GbfsService, isGbfsV2FeedName } from '@metrobici/gbfs';
import { Public } from '../auth/auth.decorators';
import { requestBaseUrl } from '../common/request-base-url';
import { allowAnyOrigin, sendGbfsFile } from './gbfs.controller';

/**
 * GBFS v2.3 files under /gbfs/v2.3, for journey planners that still read 2.x: the same data as
 * the v3.0 feed, with the same caching, ETag/304 and CORS.
 */
@ApiTags('gbfs')
@Public()
@Controller('gbfs/v2.3')
export class GbfsV2Controller {
  constructor(private readonly gbfs: GbfsService) {}

  @Get(':feed.json')
  @ApiOperation({ summary: `One GBFS v2.3 file: ${GBFS_V2_FEEDS.join(', ')}` })
  @ApiProduces('application/json')
  async feed(@Param('feed') feed: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    allowAnyOrigin(res);
    if (!isGbfsV2FeedName(feed)) {
      throw new DomainError('ROUTE_NOT_FOUND', `No existe el archivo GBFS 2.3 ${feed}.json.`, { feeds: GBFS_V2_FEEDS });
    }
    sendGbfsFile(req, res, await this.gbfs.feedV2(feed satisfies GbfsV2FeedName, requestBaseUrl(req)));
  }
}
