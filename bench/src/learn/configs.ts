/**
 * The configurations compared on the same stream: two static thresholds, and verified matching with
 * learned thresholds at two error bounds, the verifier on the request path (sync) or after it
 * (async, promotion). Figure names end in `_<name>`.
 */
export interface LearnConfig {
  name: string;
  label: string;
  threshold: number;
  verify?: { mode: "sync" | "async"; bound: number };
}

export const learnConfigs: LearnConfig[] = [
  { name: "static_097", label: "static 0.97", threshold: 0.97 },
  { name: "static_092", label: "static 0.92", threshold: 0.92 },
  {
    name: "learned_1pct_sync",
    label: "learned, bound 1%, sync",
    threshold: 0.97,
    verify: { mode: "sync", bound: 0.01 },
  },
  {
    name: "learned_1pct_async",
    label: "learned, bound 1%, async",
    threshold: 0.97,
    verify: { mode: "async", bound: 0.01 },
  },
  {
    name: "learned_2pct_sync",
    label: "learned, bound 2%, sync",
    threshold: 0.97,
    verify: { mode: "sync", bound: 0.02 },
  },
  {
    name: "learned_2pct_async",
    label: "learned, bound 2%, async",
    threshold: 0.97,
    verify: { mode: "async", bound: 0.02 },
  },
];
