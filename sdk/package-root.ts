import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package root (holding assembly/, worker/, asconfig.json): the nearest folder above `from` whose
 * package.json is ctr-distill's. Works from the sources (sdk/…) and from the bundle (dist/cli.js) alike.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "ctr-distill") return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ctr-distill package above ${from}`);
  }
}

/** This package's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}
