import { Module, type DynamicModule } from '@nestjs/common';
import type { AuthCore } from '../auth-core';
import { AuthController } from './auth.controller';
import { AUTH_CORE } from './request-authenticator';

/** The HTTP layer over an already-built core. */
@Module({})
export class AuthHttpModule {
  static over(core: AuthCore): DynamicModule {
    return {
      module: AuthHttpModule,
      controllers: [AuthController],
      providers: [{ provide: AUTH_CORE, useValue: core }],
    };
  }
}
