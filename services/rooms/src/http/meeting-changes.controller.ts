import { Body, Controller, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { editMeetingRequestSchema } from '@conclave/protocol';
import { parseBody } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import { AuthGuard, CurrentCaller, SourceIp } from '../auth/auth.guard';
import { MeetingEditing } from '../meetings/meeting-editing';
import { errorSchema, meetingViewSchema, requestSchema } from './openapi-schemas';
import { UserRateLimitGuard } from './rate-limit';

function Refusals(...statuses: number[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const status of [401, ...statuses, 429])
      ApiResponse({ status, description: 'refused, with a stable code', schema: errorSchema })(
        target,
        key,
        descriptor,
      );
  };
}

const meetingParam = ApiParam({
  name: 'meetingId',
  description: 'The meeting id (128 random bits, base64url)',
});

/** Changing and cancelling a meeting that has not ended (organisers and co-organisers). */
@ApiTags('meetings')
@ApiBearerAuth()
@UseGuards(AuthGuard, UserRateLimitGuard)
@Controller('meetings')
export class MeetingChangesController {
  constructor(@Inject(MeetingEditing) private readonly editing: MeetingEditing) {}

  @Patch(':meetingId')
  @meetingParam
  @ApiOperation({
    summary:
      'Organisers: change a meeting (fields given only; the E2EE suite only before anyone entered; co-organisers only by the organiser)',
  })
  @ApiBody({ schema: requestSchema(editMeetingRequestSchema) })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(400, 403, 404, 409)
  edit(
    @CurrentCaller() caller: Caller,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
    @SourceIp() ip?: string,
  ) {
    return this.editing.edit(caller, meetingId, parseBody(editMeetingRequestSchema, body), ip);
  }

  @Post(':meetingId/cancel')
  @HttpCode(200)
  @meetingParam
  @ApiOperation({
    summary: 'Organisers: cancel a meeting that has not started (nobody can join it any more)',
  })
  @ApiResponse({ status: 200, schema: meetingViewSchema })
  @Refusals(403, 404, 409)
  cancel(@CurrentCaller() caller: Caller, @Param('meetingId') meetingId: string, @SourceIp() ip?: string) {
    return this.editing.cancel(caller, meetingId, ip);
  }
}
