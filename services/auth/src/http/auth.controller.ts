import { Body, Controller, Get, Header, HttpCode, Inject, Post, Redirect, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  directorySearchQuerySchema,
  loginRequestSchema,
  passwordChangeRequestSchema,
  refreshRequestSchema,
  totpConfirmRequestSchema,
  totpEnrolRequestSchema,
  type LoginResponse,
  type DirectorySearchResponse,
  type MeResponse,
  type SsoProvidersResponse,
  type TokenResponse,
  type TotpConfirmation,
  type TotpEnrolment,
} from '@conclave/protocol';
import {
  BadRequestError,
  ConclaveError,
  NotFoundError,
  parseBody,
  UnauthorizedError,
} from '@conclave/server-kit';
import type { AuthCore } from '../auth-core';
import {
  CSRF_HEADER,
  clearSessionCookies,
  oidcStateCookie,
  refreshTokenFromCookie,
  samlRequestCookie,
  setOidcStateCookie,
  setSamlRequestCookie,
  setSessionCookies,
} from './cookies';
import { AUTH_CORE, RequestAuthenticator } from './request-authenticator';
import { errorResponses, schemaOf } from './openapi-schemas';

/** The HTTP-POST binding's form (RelayState is not used). */
const samlPostSchema = z.object({
  SAMLResponse: z
    .string()
    .min(1)
    .max(200_000)
    .regex(/^[A-Za-z0-9+/=\s]+$/),
  RelayState: z.string().max(80).optional(),
});

/** Client address for per-source throttling: the address a configured proxy saw (`http.trustProxy`), else the peer. */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** A browser that navigated here (the identity provider sent it back), not a script or an API client. */
function isNavigation(req: Request): boolean {
  return req.header('sec-fetch-mode') === 'navigate' || (req.header('accept') ?? '').includes('text/html');
}

/** Where a browser lands after single sign-on: the meeting app, signed in or told the sign-in failed. */
const APP_AFTER_SSO = '/';
const APP_AFTER_SSO_FAILURE = '/#/sign-in?sso=failed';

/** The name on a provider's button when none is configured: the host of its address. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** The public authentication API under `/api/auth`. */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  private readonly authenticator: RequestAuthenticator;

  constructor(@Inject(AUTH_CORE) private readonly core: AuthCore) {
    this.authenticator = new RequestAuthenticator(core);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in with a user name and password (and a TOTP or recovery code when enrolled).',
  })
  @ApiBody({ schema: schemaOf(loginRequestSchema) })
  @ApiResponse({
    status: 200,
    description: 'Tokens, or a step to complete first (password change, TOTP enrolment).',
  })
  @ApiResponse(errorResponses[401])
  @ApiResponse(errorResponses[429])
  @ApiResponse(errorResponses[503])
  async login(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    const request = parseBody(loginRequestSchema, body);
    const result = await this.core.login.login(request, clientAddress(req));
    if (result.kind !== 'tokens') return result;
    return this.answer(res, result, request.session ?? 'token');
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Exchange a refresh token (body, or cookie with the CSRF header) for new tokens; each one is single use.',
  })
  @ApiBody({ schema: schemaOf(refreshRequestSchema), required: false })
  @ApiHeader({
    name: CSRF_HEADER,
    required: false,
    description: 'The CSRF cookie value, when the refresh token comes from the cookie.',
  })
  @ApiResponse(errorResponses[401])
  async refresh(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponse> {
    const { refreshToken } = parseBody(refreshRequestSchema, body ?? {});
    const token = refreshToken ?? refreshTokenFromCookie(req, this.core.config.cookies.secure);
    if (token === undefined) throw new UnauthorizedError('not_authenticated', 'no refresh token');
    const result = await this.core.login.refresh(token);
    return this.answer(res, result, refreshToken === undefined ? 'cookie' : 'token');
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'End the session (bearer access token, or the session cookie with the CSRF header).',
  })
  @ApiResponse(errorResponses[401])
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const sessionId =
      req.header('authorization') !== undefined
        ? (await this.authenticator.accessToken(req)).claims.sid
        : await this.sessionOfCookie(req);
    await this.core.sessions.revoke(sessionId, 'logout');
    clearSessionCookies(res, this.core.config.cookies.secure);
    await this.core.audit.record({
      action: 'auth.logout',
      outcome: 'success',
      actor: 'session',
      target: sessionId,
    });
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the bearer of the access token is.' })
  @ApiResponse(errorResponses[401])
  @Header('cache-control', 'no-store')
  async me(@Req() req: Request): Promise<MeResponse> {
    const { claims, user } = await this.authenticator.accessToken(req);
    return {
      id: user.id,
      username: user.username,
      name: user.displayName,
      roles: claims.roles,
      amr: claims.amr,
      totpEnabled: user.totpSecret !== null,
    };
  }

  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Set a new password with the step token of a `password_change_required` sign-in.',
  })
  @ApiBody({ schema: schemaOf(passwordChangeRequestSchema) })
  @ApiResponse(errorResponses[400])
  @ApiResponse(errorResponses[401])
  async changePassword(@Body() body: unknown, @Req() req: Request): Promise<void> {
    const step = await this.authenticator.stepToken(req, 'password_change_required');
    const { newPassword } = parseBody(passwordChangeRequestSchema, body);
    await this.core.steps.runOnce(step, () => this.core.accounts.changePassword(step.userId, newPassword));
  }

  @Post('totp/enrol')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Start TOTP enrolment: step token of a `totp_enrolment_required` sign-in, or an access token and the current password.',
  })
  @ApiBody({ schema: schemaOf(totpEnrolRequestSchema), required: false })
  @ApiResponse(errorResponses[400])
  @ApiResponse(errorResponses[401])
  @Header('cache-control', 'no-store')
  async enrolTotp(@Body() body: unknown, @Req() req: Request): Promise<TotpEnrolment> {
    const { user, step } = await this.authenticator.stepOrAccessToken(req, 'totp_enrolment_required');
    const { password } = parseBody(totpEnrolRequestSchema, body ?? {});
    if (step === undefined) {
      // Outside the forced flow, a session alone is not enough: the password again.
      if (password === undefined)
        throw new BadRequestError('bad_request', 'enter your password to turn on two-factor authentication');
      await this.core.login.confirmPassword(user, password);
    }
    return this.core.accounts.beginTotpEnrolment(user.id);
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Confirm TOTP enrolment with a first code; returns one-time recovery codes (shown once).',
  })
  @ApiBody({ schema: schemaOf(totpConfirmRequestSchema) })
  @ApiResponse(errorResponses[401])
  @Header('cache-control', 'no-store')
  async confirmTotp(@Body() body: unknown, @Req() req: Request): Promise<TotpConfirmation> {
    const { user, step } = await this.authenticator.stepOrAccessToken(req, 'totp_enrolment_required');
    const { code } = parseBody(totpConfirmRequestSchema, body);
    const confirm = () => this.core.accounts.confirmTotp(user.id, code);
    return {
      recoveryCodes: step === undefined ? await confirm() : await this.core.steps.runOnce(step, confirm),
    };
  }

  @Get('oidc/login')
  @Redirect()
  @ApiOperation({
    summary:
      'Start OpenID Connect sign-in: redirects to the identity provider (code flow, PKCE, state, nonce).',
  })
  @ApiResponse({ status: 302, description: 'To the identity provider.' })
  @ApiResponse(errorResponses[429])
  async oidcLogin(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ url: string; statusCode: number }> {
    const oidc = this.requireOidc();
    const { url, state } = await oidc.start(clientAddress(req));
    setOidcStateCookie(res, state, this.core.config.cookies.secure);
    return { url, statusCode: 302 };
  }

  @Get('oidc/callback')
  @ApiOperation({
    summary:
      'Where the identity provider sends the browser back; answers with the tokens and sets the session cookies.',
  })
  @ApiResponse(errorResponses[401])
  @Header('cache-control', 'no-store')
  async oidcCallback(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponse | undefined> {
    const oidc = this.requireOidc();
    const query = req.originalUrl.includes('?')
      ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1)
      : '';
    const bound = ((req.cookies ?? {}) as Record<string, unknown>)[
      oidcStateCookie(this.core.config.cookies.secure)
    ];
    res.clearCookie(oidcStateCookie(this.core.config.cookies.secure), { path: '/' });
    return this.finishSso(req, res, () => oidc.finish(query, typeof bound === 'string' ? bound : undefined));
  }

  @Get('saml/login')
  @Redirect()
  @ApiOperation({ summary: 'Start SAML sign-in: redirects to the identity provider with an AuthnRequest.' })
  @ApiResponse({ status: 302, description: 'To the identity provider.' })
  @ApiResponse(errorResponses[429])
  async samlLogin(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ url: string; statusCode: number }> {
    const { url, requestId } = await this.requireSaml().start(clientAddress(req));
    setSamlRequestCookie(res, requestId, this.core.config.cookies.secure);
    return { url, statusCode: 302 };
  }

  @Post('saml/acs')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Assertion consumer service (HTTP-POST binding): a signed assertion in, tokens and session cookies out.',
  })
  @ApiResponse(errorResponses[401])
  @Header('cache-control', 'no-store')
  async samlAcs(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponse | undefined> {
    const saml = this.requireSaml();
    const { SAMLResponse } = parseBody(samlPostSchema, body);
    const cookie = samlRequestCookie(this.core.config.cookies.secure);
    const bound = ((req.cookies ?? {}) as Record<string, unknown>)[cookie];
    res.clearCookie(cookie, { path: '/' });
    return this.finishSso(req, res, () =>
      saml.finish(SAMLResponse, typeof bound === 'string' ? bound : undefined),
    );
  }

  @Get('providers')
  @ApiOperation({
    summary: 'The single sign-on providers configured, as the sign-in page offers them (names only).',
  })
  @Header('cache-control', 'no-store')
  providers(): SsoProvidersResponse {
    const { oidc, saml } = this.core.config;
    return {
      providers: [
        ...(oidc !== undefined
          ? [
              {
                kind: 'oidc' as const,
                displayName: oidc.displayName ?? hostOf(oidc.issuer),
                loginPath: '/api/auth/oidc/login' as const,
              },
            ]
          : []),
        ...(saml !== undefined
          ? [
              {
                kind: 'saml' as const,
                displayName: saml.displayName ?? hostOf(saml.entryPoint),
                loginPath: '/api/auth/saml/login' as const,
              },
            ]
          : []),
      ],
    };
  }

  @Get('directory')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Search people and groups to invite (display names only, at most 20, rate limited per person): local accounts and the directory.',
  })
  @ApiQuery({ name: 'q', required: true, description: 'At least 2 characters, matched anywhere in a name.' })
  @ApiQuery({ name: 'kind', required: false, enum: ['user', 'group'] })
  @ApiResponse(errorResponses[400])
  @ApiResponse(errorResponses[401])
  @ApiResponse(errorResponses[429])
  @ApiResponse(errorResponses[503])
  @Header('cache-control', 'no-store')
  async searchDirectory(@Req() req: Request): Promise<DirectorySearchResponse> {
    const { user } = await this.authenticator.accessToken(req);
    const query = parseBody(directorySearchQuerySchema, req.query);
    return { entries: await this.core.directorySearch.search(user.id, query) };
  }

  @Get('.well-known/jwks.json')
  @ApiOperation({ summary: 'Public keys access tokens are verified with (current and recently retired).' })
  @Header('cache-control', 'public, max-age=60')
  jwks(): Promise<{ keys: object[] }> {
    return this.core.keys.jwks();
  }

  private requireSaml() {
    if (this.core.saml === undefined)
      throw new NotFoundError('not_found', 'single sign-on is not configured');
    return this.core.saml;
  }

  private requireOidc() {
    if (this.core.oidc === undefined)
      throw new NotFoundError('not_found', 'single sign-on is not configured');
    return this.core.oidc;
  }

  /**
   * The end of a single sign-on: tokens in the cookie and, for a browser the provider sent back, a 303 to the
   * app (signed in, or on the sign-in page saying it failed) instead of a JSON page.
   */
  private async finishSso(
    req: Request,
    res: Response,
    finish: () => Promise<TokenResponse>,
  ): Promise<TokenResponse | undefined> {
    if (!isNavigation(req)) return this.answer(res, await finish(), 'cookie');
    try {
      this.answer(res, await finish(), 'cookie');
      res.status(303).setHeader('location', APP_AFTER_SSO);
    } catch (error) {
      if (!(error instanceof ConclaveError)) throw error;
      res.status(303).setHeader('location', APP_AFTER_SSO_FAILURE);
    }
    return undefined;
  }

  /**
   * Tokens as the flow wants them: `cookie` puts the refresh token in the `HttpOnly` cookie and leaves it out of
   * the body (script must not read it); `token` returns it in the body and sets no cookie.
   */
  private answer(res: Response, tokens: TokenResponse, flow: 'cookie' | 'token'): TokenResponse {
    if (flow === 'token') return tokens;
    const { refreshToken, ...rest } = tokens;
    if (refreshToken !== undefined)
      setSessionCookies(
        res,
        refreshToken,
        this.core.config.tokens.refreshTokenSeconds,
        this.core.config.cookies.secure,
      );
    return rest;
  }

  private async sessionOfCookie(req: Request): Promise<string> {
    const token = refreshTokenFromCookie(req, this.core.config.cookies.secure);
    const session = token === undefined ? null : await this.core.sessions.findByRefreshToken(token);
    if (session === null) throw new UnauthorizedError('not_authenticated', 'no session');
    return session.id;
  }
}
