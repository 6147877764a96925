import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

/** The CLI tests run the real `bin/ctr-distill.js`, which loads dist/cli.js: build it once for every worker. */
export default function setup(): void {
  execFileSync("npm", ["run", "build"], { cwd: resolve(import.meta.dirname, "../.."), stdio: ["ignore", "ignore", "inherit"] });
}
