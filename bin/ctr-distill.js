#!/usr/bin/env node
// The CLI is bundled by `npm run build` (esbuild) into dist/cli.js: the package ships it built, and in a
// checkout `npm run demo` and `npm test` build it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write("ctr-distill: dist/cli.js is missing; run `npm run build` in the package first\n");
  process.exit(1);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
