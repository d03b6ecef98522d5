import { Controller, Get, Header, Inject, Param, Req } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import QRCode from 'qrcode';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { ReceiptService, receiptUrl } from '@metrobici/loans';
import { Public } from '../auth/auth.decorators';
import { requestBaseUrl } from '../common/request-base-url';

/**
 * The rider's receipt: public (the token is the only key), rate-limited like every anonymous
 * route, no personal data, gone once the journey ends.
 */
@ApiTags('receipts')
@Controller('api/v1/receipts')
export class ReceiptsController {
  constructor(
    private readonly receipts: ReceiptService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get(':token')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @ApiOperation({
    summary: 'The rider’s receipt of an open loan: bike, due time, renewal rule, station (no personal data)',
  })
  get(@Param('token') token: string) {
    return this.receipts.get(token);
  }

  @Public()
  @Get(':token/qr.svg')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('image/svg+xml')
  @ApiOperation({ summary: 'The receipt’s link as a QR code (SVG), while the loan is open' })
  async qr(@Param('token') token: string, @Req() req: Request): Promise<string> {
    await this.receipts.get(token);
    // A phone needs an absolute link: PUBLIC_BASE_URL, or (development) the address reached.
    const base = this.config.http.publicBaseUrl ?? requestBaseUrl(req);
    return QRCode.toString(receiptUrl(token, base), { type: 'svg', margin: 1 });
  }
}
