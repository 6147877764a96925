// `node scripts/bundle.mjs SRC.ts OUT.js`: one TypeScript script (a benchmark, a diagnostic) bundled for Node,
// with the same settings as the package (scripts/esbuild-node.mjs).
import { build } from "esbuild";
import { NODE_BUNDLE } from "./esbuild-node.mjs";

const [entry, outfile] = process.argv.slice(2);
if (entry === undefined || outfile === undefined) {
  process.stderr.write("usage: node scripts/bundle.mjs SRC.ts OUT.js\n");
  process.exit(1);
}
await build({ ...NODE_BUNDLE, entryPoints: [entry], outfile });
