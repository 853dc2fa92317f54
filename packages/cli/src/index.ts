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
  UsageError,
} from "./calibrate.js";
export { HELP, main } from "./main.js";
