import { Controller, Get, HttpCode, Inject, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PARTICIPANT_STREAM_EVENT, type ParticipantStreamEvent } from '@conclave/protocol';
import type { Caller } from '../auth/access-token-verifier';
import { AuthGuard, CurrentCaller, SourceIp } from '../auth/auth.guard';
import { ParticipantStreamService } from '../streams/participant-stream-service';
import { StreamSettings } from '../streams/stream-settings';
import { errorSchema, leaveResponseSchema, participantStreamSchema } from './openapi-schemas';
import { UserRateLimitGuard } from './rate-limit';

const meetingParam = ApiParam({
  name: 'meetingId',
  description: 'The meeting id (128 random bits, base64url)',
});
const participantParam = ApiParam({ name: 'participantId', description: "A participant session's id" });
const refusal = (status: number) =>
  ApiResponse({ status, description: 'refused, with a stable code', schema: errorSchema });

/** Pushed to one's own participant session: lobby outcome, requests, and the lobby for organisers. */
@ApiTags('meetings')
@ApiBearerAuth()
@UseGuards(AuthGuard, UserRateLimitGuard)
@Controller('meetings/:meetingId/participants/:participantId')
export class ParticipantStreamController {
  constructor(
    @Inject(ParticipantStreamService) private readonly service: ParticipantStreamService,
    @Inject(StreamSettings) private readonly settings: StreamSettings,
  ) {}

  @Get('stream')
  @meetingParam
  @participantParam
  @ApiOperation({
    summary:
      "Server-sent events for one's own session: state changes, requests addressed to it, and for organisers the lobby",
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'an event stream', schema: participantStreamSchema })
  @refusal(401)
  @refusal(404)
  @refusal(429)
  async stream(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @Res() res: Response,
  ): Promise<void> {
    const opening = await this.service.authorise(caller, meetingId, participantId);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // Proxies in front (nginx ingress) must pass each event on at once.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    let open = true;
    let unregister: (() => void) | undefined;
    const write = (chunk: string) => {
      if (open) res.write(chunk);
    };
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), this.settings.heartbeatSeconds * 1000);
    // The stream never outlives the token that opened it: the client reconnects with a fresh one.
    const expiry =
      caller.expiresAtMs !== undefined
        ? setTimeout(() => close(), Math.max(0, caller.expiresAtMs - Date.now()))
        : undefined;
    const close = () => {
      if (!open) return;
      open = false;
      clearInterval(heartbeat);
      clearTimeout(expiry);
      unregister?.();
      res.end();
    };
    res.on('close', close);
    const sink = {
      send: (event: ParticipantStreamEvent) =>
        write(`event: ${PARTICIPANT_STREAM_EVENT}\ndata: ${JSON.stringify(event)}\n\n`),
      close,
    };
    try {
      const off = await this.service.attach(opening, sink);
      if (open) unregister = off;
      else off();
    } catch {
      close();
    }
  }

  @Post('leave')
  @HttpCode(200)
  @meetingParam
  @participantParam
  @ApiOperation({ summary: 'A waiting person withdraws from the lobby (state left)' })
  @ApiResponse({ status: 200, schema: leaveResponseSchema })
  @refusal(401)
  @refusal(404)
  @refusal(409)
  @refusal(429)
  leave(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @SourceIp() ip?: string,
  ) {
    return this.service.leave(caller, meetingId, participantId, ip);
  }
}
