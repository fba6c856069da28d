import type { TargetRun } from '../measure/run-bench';

/** The product's goals for Conclave (benchmarks, not tests). */
export const PRODUCT_TARGETS = {
  eta_vs_c_forwarder_min: 0.5,
  ratio_vs_bare_mediasoup_min: 0.95,
  consumers_per_core_min: 750,
} as const;

/** The top-level figures of a run; null whenever a target they need is missing or was not measured. */
export interface HeadlineFigures {
  /** Conclave's delivered packets per core-second over the C forwarder's, at the fixed load. */
  eta_vs_c_forwarder: number | null;
  /** Conclave's delivered packets per core-second over bare mediasoup's, at the fixed load. */
  ratio_vs_bare_mediasoup: number | null;
  /** Conclave's knee: consumers on one worker core when loss passes 0.1 %. */
  consumers_per_core_at_0_1pct_loss: number | null;
  /** The same η for bare mediasoup: what the baseline itself reaches. */
  baseline_eta_bare_mediasoup_vs_c_forwarder: number | null;
  baseline_consumers_per_core_at_0_1pct_loss: Record<'c-forwarder' | 'bare-mediasoup', number | null>;
  /** Lower bounds when a baseline's knee was not reached or the generator gave out first. */
  baseline_consumers_per_core_at_least: Record<'c-forwarder' | 'bare-mediasoup', number | null>;
  meets_product_targets: { eta: boolean | null; ratio: boolean | null; consumers_per_core: boolean | null };
}

/** Computes the headline ratios from the per-target runs. */
export function headlineFigures(runs: readonly TargetRun[]): HeadlineFigures {
  const byName = (name: string) => runs.find((r) => r.name === name && r.status === 'ok');
  const efficiency = (name: string) => byName(name)?.fixedLoad?.forwardedPerCoreSecond ?? null;
  const knee = (name: string) => byName(name)?.knee?.consumersPerCore ?? null;
  const atLeast = (name: string) => byName(name)?.knee?.consumersPerCoreAtLeast ?? null;
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  const eta = ratio(efficiency('conclave'), efficiency('c-forwarder'));
  const vsBare = ratio(efficiency('conclave'), efficiency('bare-mediasoup'));
  const conclaveKnee = knee('conclave');
  const meets = (value: number | null, min: number) => (value === null ? null : value >= min);
  return {
    eta_vs_c_forwarder: eta,
    ratio_vs_bare_mediasoup: vsBare,
    consumers_per_core_at_0_1pct_loss: conclaveKnee,
    baseline_eta_bare_mediasoup_vs_c_forwarder: ratio(
      efficiency('bare-mediasoup'),
      efficiency('c-forwarder'),
    ),
    baseline_consumers_per_core_at_0_1pct_loss: {
      'c-forwarder': knee('c-forwarder'),
      'bare-mediasoup': knee('bare-mediasoup'),
    },
    baseline_consumers_per_core_at_least: {
      'c-forwarder': atLeast('c-forwarder'),
      'bare-mediasoup': atLeast('bare-mediasoup'),
    },
    meets_product_targets: {
      eta: meets(eta, PRODUCT_TARGETS.eta_vs_c_forwarder_min),
      ratio: meets(vsBare, PRODUCT_TARGETS.ratio_vs_bare_mediasoup_min),
      consumers_per_core: meets(conclaveKnee, PRODUCT_TARGETS.consumers_per_core_min),
    },
  };
}
