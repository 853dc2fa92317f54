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
export type { TransformersModule } from "./local-embedder.js";
export { loadLocalEmbedder } from "./local-embedder.js";
export { HELP, main } from "./main.js";
export { UsageError } from "./usage-error.js";
