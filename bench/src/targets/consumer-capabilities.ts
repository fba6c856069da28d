import type { types } from 'mediasoup';

const TRANSPORT_CC_EXTENSION = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/**
 * What a browser would negotiate, minus bandwidth estimation: the harness's receiver sends no RTCP feedback, so
 * transport-cc and REMB would only add probing. Every mediasoup-based target receives with these.
 */
export function consumerCapabilities(router: types.RtpCapabilities): types.RtpCapabilities {
  return {
    codecs: router.codecs?.map((codec) => ({
      ...codec,
      rtcpFeedback: codec.rtcpFeedback?.filter((fb) => fb.type !== 'transport-cc' && fb.type !== 'goog-remb'),
    })),
    headerExtensions: router.headerExtensions?.filter((ext) => ext.uri !== TRANSPORT_CC_EXTENSION),
  };
}
