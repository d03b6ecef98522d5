import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Application } from 'express';
import { locateWebAssets, webAssetsHandler } from './web-assets';
import { ServiceInfoController } from './service-info.controller';

/**
 * The browser app for citizens, operators, planners and admins, served by the API itself (same
 * origin, so the CSP stays `'self'`). The handler is added in `onModuleInit`, which Nest runs after
 * it has registered every controller route and before its 404 handler: API routes always win.
 */
@Module({ controllers: [ServiceInfoController] })
export class WebModule implements OnModuleInit {
  private readonly logger = new Logger('WebModule');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const assets = locateWebAssets();
    if (!assets) {
      this.logger.warn('apps/web/index.html not found from the working directory: the web app is not served');
      return;
    }
    adapter.getInstance<Application>().use(webAssetsHandler(assets));
  }
}
