import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_NAME = "@recall/transformers";

/** Where built models live: `RECALL_MODEL_DIR`, else `<this package>/.models`. */
export function defaultModelDir(): string {
  const fromEnv = process.env.RECALL_MODEL_DIR;
  if (fromEnv) return resolve(fromEnv);
  return join(packageRoot(), ".models");
}

/** The directory of this package's package.json (from src/ in tests, from dist/ once built). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME)
          return dir;
      } catch {
        // not a readable manifest; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find the ${PACKAGE_NAME} package directory; set RECALL_MODEL_DIR`);
    dir = parent;
  }
}
