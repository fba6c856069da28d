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
  /** Behind a reverse proxy: trust its X-Forwarded-For for the client address. */
  trustProxy?: boolean;
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
  app.set('trust proxy', options.trustProxy ?? false);
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
