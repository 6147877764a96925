import { execFileSync } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Builds `test/workers/fixture/` (gitignored) before the workers project runs.
 *
 * The build runs in a child Node process from an esbuild bundle of build-fixture.ts, not in this module's
 * graph: globalSetup is loaded through the workers project's Vite server, whose Cloudflare plugin inlines
 * every dependency (`server.deps.inline = true`), and transforming the AssemblyScript compiler and binaryen
 * that way took a minute instead of ~1 s.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_DIR = join(HERE, "fixture");
const ROOT = resolve(HERE, "../..");

const BUILD_SCRIPT = `
const [entry, outfile, fixtureDir] = process.argv.slice(1);
const { build } = await import("esbuild");
await build({ entryPoints: [entry], outfile, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });
process.argv = [process.argv[0], outfile, fixtureDir];
await import(new URL("file://" + outfile).href);
`;

export default async function setup(): Promise<void> {
  await rm(FIXTURE_DIR, { recursive: true, force: true });
  await mkdir(join(FIXTURE_DIR, ".build"), { recursive: true });
  const entry = join(HERE, "build-fixture.ts");
  const outfile = join(FIXTURE_DIR, ".build", "build-fixture.mjs");
  execFileSync(process.execPath, ["--input-type=module", "-e", BUILD_SCRIPT, entry, outfile, FIXTURE_DIR], { cwd: ROOT, stdio: "inherit" });
}
