import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

/** The CLI tests run the real `bin/ctr-distill.js`, which loads dist/cli.js: bundle it once for every worker. */
export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs", "js"], { cwd: resolve(import.meta.dirname, "../.."), stdio: ["ignore", "ignore", "inherit"] });
}
