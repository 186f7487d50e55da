/** triage: whom to watch given the agents we have — explainable signals, a calibrated score, a capacity planner, audited decisions. */
export { SIGNALS, SIGNAL_INFO, extractSignals, type SignalName, type SignalOptions, type SignalStatus, type SignalValue, type TriageEvidence, type TriageSubject } from './signals.js';
export { DEFAULT_WEIGHTS, TriageWeights, expectedCalibrationError, featureVector, fitWeights, recallAtK, scoreSubject, type Contribution, type ScoredSubject } from './score.js';
export { Capacity, DEFAULT_PARTIAL, Measure, coverageCurve, measuresOf, planCapacity, type Assignment, type CapacityInput, type CurvePoint, type PlanInput, type PlanResult } from './plan.js';
export { authoriseEvidence, gatherEvidence, type ClusterReader, type GatherOptions, type ProjectionSource, type WatchReader } from './evidence.js';
export { EvidenceCache, evidenceKey, type EvidenceKeyParts, type GatheredSignals } from './cache.js';
export {
  DecisionChange,
  DecisionInput,
  TriageService,
  describeWeights,
  type CapacityRecord,
  type Decision,
  type EvidenceRef,
  type PlanSnapshot,
  type RankOptions,
  type RankedSubject,
  type Ranking,
  type ResolutionUsed,
  type TriageServiceOptions,
  type WeightsRecord,
} from './service.js';
