// `npm run build`: everything the package ships, from the sources.
//  - dist/index.js + dist/cli.js (Node, ESM, shared chunks in dist/chunks/), dependencies left as imports;
//  - dist/runtime.js and dist/worker.js: self-contained ES modules with no Node and no tfjs (browsers, Deno,
//    Bun, Workers), and dist/worker.js is what `deploy` copies into a bundle;
//  - dist/types/: declarations generated from the sources by tsc (one program for Node, one for Workers);
//  - dist/scorer-base.wasm: the generic scorer, so that exporting a student needs no AssemblyScript compiler.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { NODE_BUNDLE } from "./esbuild-node.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const only = new Set(process.argv.slice(2)); // e.g. `js` alone for a quick rebuild
const want = (part) => only.size === 0 || only.has(part);
const node = (script, args) => execFileSync(process.execPath, [require.resolve(script), ...args], { cwd: root, stdio: "inherit" });

if (want("js")) {
  for (const dir of ["dist/chunks"]) rmSync(join(root, dir), { recursive: true, force: true });
  const common = { absWorkingDir: root, bundle: true, format: "esm", target: "es2022", logLevel: "warning" };
  await build({ ...NODE_BUNDLE, absWorkingDir: root, entryPoints: { index: "sdk/index.ts", cli: "sdk/cli.ts" }, outdir: "dist", splitting: true, chunkNames: "chunks/[name]-[hash]" });
  await build({ ...common, entryPoints: { runtime: "sdk/runtime/index.ts", worker: "worker/index.ts" }, outdir: "dist", platform: "neutral" });
}
/** Every `.d.ts` file under `dir`. */
function declarationFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? declarationFiles(path) : name.endsWith(".d.ts") ? [path] : [];
  });
}

/**
 * tsc copies the sources' extensionless relative imports into the declarations, and a user's project under
 * `moduleResolution: node16/nodenext` refuses those (TS2834). Each becomes the `.js` (or `/index.js`) path the
 * declaration file stands for; anything else is left as it is.
 */
function addDeclarationExtensions(dir) {
  for (const file of declarationFiles(dir)) {
    const text = readFileSync(file, "utf8");
    const fixed = text.replace(/(\bfrom\s+|\bimport\(\s*)(["'])(\.{1,2}\/[^"']*)\2/g, (match, lead, quote, spec) => {
      if (/\.(js|json)$/.test(spec)) return match;
      const base = join(dirname(file), spec);
      const target = existsSync(`${base}.d.ts`) ? `${spec}.js` : existsSync(join(base, "index.d.ts")) ? `${spec}/index.js` : spec;
      return `${lead}${quote}${target}${quote}`;
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

if (want("types")) {
  rmSync(join(root, "dist/types"), { recursive: true, force: true });
  node("typescript/bin/tsc", ["-p", "tsconfig.build.json"]);
  node("typescript/bin/tsc", ["-p", "worker/tsconfig.build.json"]);
  addDeclarationExtensions(join(root, "dist/types"));
}
if (want("wasm")) {
  mkdirSync(join(root, "dist"), { recursive: true });
  node("assemblyscript/bin/asc.js", ["assembly/index.ts", "--config", "asconfig.json", "--target", "release", "--outFile", "dist/scorer-base.wasm"]);
}
