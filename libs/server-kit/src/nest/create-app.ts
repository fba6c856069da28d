import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import helmet from 'helmet';
import type { Logger } from '../logger';
import { ConclaveExceptionFilter } from './exception-filter';

export interface CreateAppOptions {
  /** Largest accepted JSON body. */
  bodyLimit?: string;
  /**
   * Behind a reverse proxy: whose X-Forwarded-For to believe for the client address (Express `trust proxy`): the
   * proxies' addresses/CIDRs, or a hop count. `true` believes any client and should not be used.
   */
  trustProxy?: boolean | number | readonly string[];
}

/**
 * A NestJS/Express application with Conclave's defaults: helmet headers, a small JSON body limit, our error
 * filter (stable codes, no stack traces), no `X-Powered-By`, and Nest's own logger silenced in favour of ours.
 */
export async function createNestApp(
  module: unknown,
  log: Logger,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module as never, {
    logger: false,
    bodyParser: false,
  });
  app.disable('x-powered-by');
  const trust = options.trustProxy ?? false;
  app.set('trust proxy', Array.isArray(trust) ? [...trust] : trust);
  app.use(helmet());
  app.use(
    express.json({
      limit: options.bodyLimit ?? '32kb',
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );
  app.useGlobalFilters(new ConclaveExceptionFilter(log));
  app.enableShutdownHooks();
  return app;
}
