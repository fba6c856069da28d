import type { NativeTools } from '../native/build-native';
import { bareMediasoupTarget } from './bare-mediasoup-target';
import type { BenchTargetFactory } from './bench-target';
import { cForwarderTarget } from './c-forwarder-target';
import { conclaveTarget } from './conclave-target';

/** Targets in the order they are measured and reported. */
export const TARGET_NAMES = ['c-forwarder', 'bare-mediasoup', 'conclave'] as const;

/** A target's name as it appears in the results. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** The factory for every target. */
export function targetFactories(native: NativeTools): Record<TargetName, BenchTargetFactory> {
  return {
    'c-forwarder': cForwarderTarget(native.forwarder),
    'bare-mediasoup': bareMediasoupTarget,
    conclave: conclaveTarget,
  };
}
