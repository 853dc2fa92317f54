/** `@recall/core/calibrate`: threshold calibration on labelled pairs (what `recall calibrate` runs). */
export type {
  CalibrationMetrics,
  CalibrationOptions,
  CalibrationPair,
  CalibrationProgress,
  CalibrationReport,
  CalibrationRow,
  Candidate as CalibrationCandidate,
  Estimate,
  PairLookup,
  RankingEstimates,
  RankingReport,
} from "../calibrate.js";
export { calibrate, metricsAt, suggestThreshold, thresholdRange } from "../calibrate.js";
export type { LabelVerdict } from "../calibration-labels.js";
