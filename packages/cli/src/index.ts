export type { CalibrateArgs, CliIO } from "./calibrate.js";
export {
  CALIBRATE_HELP,
  DEFINITIONS,
  formatReport,
  jsonReport,
  parseCalibrateArgs,
  parseThresholds,
  readPairs,
  runCalibrate,
} from "./calibrate.js";
export type { DashboardArgs, DashboardModules, RunningDashboard } from "./dashboard.js";
export { DASHBOARD_HELP, parseDashboardArgs, redactUrl, runDashboard, startDashboard } from "./dashboard.js";
export type { TransformersModule } from "./local-embedder.js";
export { loadLocalEmbedder } from "./local-embedder.js";
export { HELP, main } from "./main.js";
export { UsageError } from "./usage-error.js";
