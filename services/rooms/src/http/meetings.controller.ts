import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  allowRequestSchema,
  autoAdmitRequestSchema,
  instantMeetingRequestSchema,
  knockRequestSchema,
  lobbyDecisionRequestSchema,
  muteRequestSchema,
  scheduleMeetingRequestSchema,
} from '@conclave/protocol';
import { parseBody } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import { AuthGuard, CurrentCaller, SourceIp } from '../auth/auth.guard';
import { UserRateLimitGuard } from './rate-limit';
import { MeetingAdmission } from '../meetings/meeting-admission';
import { MeetingPowers } from '../meetings/meeting-powers';
import { MeetingScheduling } from '../meetings/meeting-scheduling';
import {
  errorSchema,
  eventsSchema,
  joinResponseSchema,
  meetingListSchema,
  meetingViewSchema,
  participantListSchema,
  participantStatusSchema,
  participantViewSchema,
  requestSchema,
  ticketResponseSchema,
} from './openapi-schemas';

const refusals = (...statuses: number[]) =>
  statuses.map((status) =>
    ApiResponse({ status, description: 'refused, with a stable code', schema: errorSchema }),
  );

function Refusals(...statuses: number[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const decorate of refusals(401, ...statuses, 429)) decorate(target, key, descriptor);
  };
}

const meetingParam = ApiParam({
  name: 'meetingId',
  description: 'The meeting id (128 random bits, base64url)',
});
const participantParam = ApiParam({ name: 'participantId', description: "A participant session's id" });

@ApiTags('meetings')
@ApiBearerAuth()
@UseGuards(AuthGuard, UserRateLimitGuard)
@Controller('meetings')
export class MeetingsController {
  constructor(
    @Inject(MeetingScheduling) private readonly scheduling: MeetingScheduling,
    @Inject(MeetingAdmission) private readonly admission: MeetingAdmission,
    @Inject(MeetingPowers) private readonly powers: MeetingPowers,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Schedule a meeting (organisers and administrators)' })
  @ApiBody({ schema: requestSchema(scheduleMeetingRequestSchema) })
  @ApiResponse({ status: 201, schema: meetingViewSchema })
  @Refusals(400, 403)
  schedule(@CurrentCaller() caller: Caller, @Body() body: unknown, @SourceIp() ip?: string) {
    return this.scheduling.schedule(caller, parseBody(scheduleMeetingRequestSchema, body), ip);
  }

  @Post('instant')
  @ApiOperation({ summary: 'Create a meeting that starts now (organisers and administrators)' })
  @ApiBody({ schema: requestSchema(instantMeetingRequestSchema) })
  @ApiResponse({ status: 201, schema: meetingViewSchema })
  @Refusals(400, 403)
  instant(@CurrentCaller() caller: Caller, @Body() body: unknown, @SourceIp() ip?: string) {
    return this.scheduling.createInstant(caller, parseBody(instantMeetingRequestSchema, body), ip);
  }

  @Get()
  @ApiOperation({ summary: 'Meetings the caller organises or is invited to' })
  @ApiResponse({ status: 200, schema: meetingListSchema })
  @Refusals()
  list(@CurrentCaller() caller: Caller) {
    return this.scheduling.listMine(caller);
  }

  @Get(':meetingId')
  @meetingParam
  @ApiOperation({ summary: 'A meeting, for its organisers and admitted participants' })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(403, 404)
  get(@CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string) {
    return this.scheduling.get(caller, meetingId);
  }

  @Post(':meetingId/join')
  @HttpCode(200)
  @meetingParam
  @ApiOperation({
    summary: 'Ask to enter: admitted at once (organisers, auto-admit, no lobby) or waiting in the lobby',
  })
  @ApiResponse({ status: 200, schema: joinResponseSchema })
  @Refusals(403, 404, 409)
  join(@CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string, @SourceIp() ip?: string) {
    return this.admission.join(caller, meetingId, ip);
  }

  @Get(':meetingId/lobby')
  @meetingParam
  @ApiOperation({ summary: 'Organisers: people waiting in the lobby' })
  @ApiResponse({ status: 200, schema: participantListSchema })
  @Refusals(403, 404)
  lobby(@CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string) {
    return this.admission.lobby(caller, meetingId);
  }

  @Post(':meetingId/lobby/admit')
  @HttpCode(200)
  @meetingParam
  @ApiOperation({ summary: 'Organisers: admit waiting people (named, or all)' })
  @ApiBody({ schema: requestSchema(lobbyDecisionRequestSchema) })
  @ApiResponse({ status: 200, schema: participantListSchema })
  @Refusals(400, 403, 404, 409)
  admit(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.admission.decide(caller, meetingId, 'admit', parseBody(lobbyDecisionRequestSchema, body), ip);
  }

  @Post(':meetingId/lobby/refuse')
  @HttpCode(200)
  @meetingParam
  @ApiOperation({ summary: 'Organisers: refuse waiting people (named, or all)' })
  @ApiBody({ schema: requestSchema(lobbyDecisionRequestSchema) })
  @ApiResponse({ status: 200, schema: participantListSchema })
  @Refusals(400, 403, 404, 409)
  refuse(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.admission.decide(
      caller,
      meetingId,
      'refuse',
      parseBody(lobbyDecisionRequestSchema, body),
      ip,
    );
  }

  @Post(':meetingId/lock')
  @HttpCode(200)
  @meetingParam
  @ApiOperation({ summary: 'Organisers: lock the meeting (nobody new reaches even the lobby)' })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(403, 404, 409)
  lock(@CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string, @SourceIp() ip?: string) {
    return this.powers.setLocked(caller, meetingId, true, ip);
  }

  @Post(':meetingId/unlock')
  @HttpCode(200)
  @meetingParam
  @ApiOperation({ summary: 'Organisers: unlock the meeting' })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(403, 404, 409)
  unlock(@CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string, @SourceIp() ip?: string) {
    return this.powers.setLocked(caller, meetingId, false, ip);
  }

  @Post(':meetingId/end')
  @HttpCode(200)
  @meetingParam
  @ApiOperation({ summary: 'Organisers: end the meeting for everyone' })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(403, 404, 409, 503)
  end(@CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string, @SourceIp() ip?: string) {
    return this.powers.end(caller, meetingId, ip);
  }

  @Put(':meetingId/auto-admit')
  @meetingParam
  @ApiOperation({ summary: 'Organisers: the named invitees admitted without waiting' })
  @ApiBody({ schema: requestSchema(autoAdmitRequestSchema) })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(400, 403, 404)
  autoAdmit(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.powers.setAutoAdmit(caller, meetingId, parseBody(autoAdmitRequestSchema, body).users, ip);
  }

  @Put(':meetingId/knock')
  @meetingParam
  @ApiOperation({ summary: 'Administrators: allow people who are not invited to knock (ask to enter)' })
  @ApiBody({ schema: requestSchema(knockRequestSchema) })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(400, 403, 404)
  knock(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.powers.setKnock(caller, meetingId, parseBody(knockRequestSchema, body).allowed, ip);
  }

  @Get(':meetingId/participants')
  @meetingParam
  @ApiOperation({ summary: 'Admitted participants (organisers and admitted participants)' })
  @ApiResponse({ status: 200, schema: participantListSchema })
  @Refusals(403, 404)
  participants(@CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string) {
    return this.admission.participants(caller, meetingId);
  }

  @Get(':meetingId/participants/:participantId')
  @meetingParam
  @participantParam
  @ApiOperation({
    summary:
      "One participant: one's own session (a waiting person sees only its state), or any for organisers",
  })
  @ApiResponse({ status: 200, schema: participantStatusSchema })
  @Refusals(404)
  participant(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
  ) {
    return this.admission.participant(caller, meetingId, participantId);
  }

  @Post(':meetingId/participants/:participantId/ticket')
  @HttpCode(200)
  @meetingParam
  @participantParam
  @ApiOperation({
    summary: "An SFU join ticket for one's own admitted session (short-lived, carries the rights)",
  })
  @ApiResponse({ status: 200, schema: ticketResponseSchema })
  @Refusals(403, 404, 409)
  ticket(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @SourceIp() ip?: string,
  ) {
    return this.admission.issueTicket(caller, meetingId, participantId, ip);
  }

  @Get(':meetingId/participants/:participantId/events')
  @meetingParam
  @participantParam
  @ApiOperation({ summary: "Requests addressed to one's own session (e.g. unmute-requested), returned once" })
  @ApiResponse({ status: 200, schema: eventsSchema })
  @Refusals(404)
  events(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
  ) {
    return this.admission.events(caller, meetingId, participantId);
  }

  @Put(':meetingId/participants/:participantId/share')
  @meetingParam
  @participantParam
  @ApiOperation({
    summary: 'Organisers: grant or take back screen sharing (taking it back closes the share)',
  })
  @ApiBody({ schema: requestSchema(allowRequestSchema) })
  @ApiResponse({ status: 200, schema: participantViewSchema })
  @Refusals(400, 403, 404, 409, 503)
  share(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.powers.setShare(
      caller,
      meetingId,
      participantId,
      parseBody(allowRequestSchema, body).allowed,
      ip,
    );
  }

  @Put(':meetingId/participants/:participantId/camera')
  @meetingParam
  @participantParam
  @ApiOperation({
    summary: 'Organisers: turn a camera off and take back the right (false), or give it back (true)',
  })
  @ApiBody({ schema: requestSchema(allowRequestSchema) })
  @ApiResponse({ status: 200, schema: participantViewSchema })
  @Refusals(400, 403, 404, 409, 503)
  camera(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.powers.setCamera(
      caller,
      meetingId,
      participantId,
      parseBody(allowRequestSchema, body).allowed,
      ip,
    );
  }

  @Post(':meetingId/participants/:participantId/mute')
  @HttpCode(200)
  @meetingParam
  @participantParam
  @ApiOperation({ summary: "Organisers: stop forwarding a participant's microphone (never turns one on)" })
  @ApiBody({ schema: requestSchema(muteRequestSchema), required: false })
  @ApiResponse({ status: 200, schema: participantViewSchema })
  @Refusals(400, 403, 404, 409, 503)
  mute(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.powers.mute(
      caller,
      meetingId,
      participantId,
      parseBody(muteRequestSchema, body ?? {}).source,
      ip,
    );
  }

  @Post(':meetingId/participants/:participantId/ask-unmute')
  @HttpCode(200)
  @meetingParam
  @participantParam
  @ApiOperation({
    summary: 'Organisers: ask a participant to unmute (a request its client shows; never forced)',
  })
  @ApiResponse({ status: 200, schema: participantViewSchema })
  @Refusals(403, 404, 409)
  askUnmute(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @SourceIp() ip?: string,
  ) {
    return this.powers.askUnmute(caller, meetingId, participantId, ip);
  }

  @Post(':meetingId/participants/:participantId/remove')
  @HttpCode(200)
  @meetingParam
  @participantParam
  @ApiOperation({
    summary:
      'Organisers: remove a participant and bar the user from this meeting (the SFU rekeys the E2EE group)',
  })
  @ApiResponse({ status: 200, schema: participantViewSchema })
  @Refusals(403, 404, 409, 503)
  remove(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @SourceIp() ip?: string,
  ) {
    return this.powers.remove(caller, meetingId, participantId, ip);
  }

  @Post(':meetingId/participants/:participantId/promote')
  @HttpCode(200)
  @meetingParam
  @participantParam
  @ApiOperation({ summary: 'Organisers: make a participant co-organiser, with every organiser power' })
  @ApiResponse({ status: 200, schema: participantViewSchema })
  @Refusals(403, 404, 409, 503)
  promote(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @SourceIp() ip?: string,
  ) {
    return this.powers.promote(caller, meetingId, participantId, ip);
  }

  @Post(':meetingId/participants/:participantId/lower-hand')
  @HttpCode(200)
  @meetingParam
  @participantParam
  @ApiOperation({ summary: "Organisers: lower a participant's raised hand" })
  @ApiResponse({ status: 200, schema: participantViewSchema })
  @Refusals(403, 404, 409, 503)
  lowerHand(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Param('participantId') participantId: string,
    @SourceIp() ip?: string,
  ) {
    return this.powers.lowerHand(caller, meetingId, participantId, ip);
  }

  @Post(':meetingId/hands/lower-all')
  @HttpCode(200)
  @meetingParam
  @ApiOperation({ summary: 'Organisers: lower every raised hand' })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(403, 404, 409, 503)
  lowerAllHands(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @SourceIp() ip?: string,
  ) {
    return this.powers.lowerAllHands(caller, meetingId, ip);
  }
}
