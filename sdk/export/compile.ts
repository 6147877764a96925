import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import { packageRoot } from "../package-root";

/**
 * Compiles assembly/ with the AssemblyScript compiler's JS API into build/, on demand: a module is rebuilt
 * only when it is missing or older than a source under assembly/ or asconfig.json. The options (SIMD,
 * stub runtime, no imports, -O3, noAssert) come from asconfig.json's "release" target. An installed package
 * has no assembly/ sources and no compiler: it ships the generic scorer prebuilt (PREBUILT_SCORER).
 */

/** Entry of the shipped scorer module. */
export const SCORER_ENTRY = "assembly/index.ts";
/** Output of the shipped scorer module, before a model is patched in. */
export const SCORER_BASE_OUT = "build/scorer-base.wasm";
/** Entry exporting each SIMD kernel beside its scalar reference (tests only). */
export const KERNELS_ENTRY = "assembly/kernels.ts";
/** The generic scorer as the package ships it, built by `npm run build` (scripts/build.mjs). */
export const PREBUILT_SCORER = "dist/scorer-base.wasm";
/** Output of the kernels test module. */
export const KERNELS_OUT = "build/scorer-kernels.wasm";

export interface CompileOptions {
  /** Repository root holding assembly/ and asconfig.json; default: the package root. */
  root?: string;
  /** Rebuild even when the output is up to date. */
  force?: boolean;
}

/** The compiler failed; the message carries its diagnostics. */
export class AssemblyCompileError extends Error {
  override name = "AssemblyCompileError";
}

const DEFAULT_ROOT = packageRoot();

/** Compilations in flight in this process, by output path: concurrent callers share one. */
const inFlight = new Map<string, Promise<Uint8Array>>();

async function newestSourceTime(root: string): Promise<number> {
  let newest = (await stat(join(root, "asconfig.json"))).mtimeMs;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith(".ts") || entry.name.endsWith(".json")) newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  };
  await walk(join(root, "assembly"));
  return newest;
}

async function isFresh(out: string, root: string): Promise<boolean> {
  try {
    return (await stat(out)).mtimeMs >= (await newestSourceTime(root));
  } catch {
    return false;
  }
}

/** Runs asc on one entry with the release target; returns the binary (not written anywhere). */
export async function compileAssembly(entry: string, opts: { root?: string } = {}): Promise<Uint8Array> {
  const root = resolve(opts.root ?? DEFAULT_ROOT);
  // Loaded on demand: the compiler is a development dependency, absent where the package is installed.
  const { default: asc } = await import("assemblyscript/asc");
  let binary: Uint8Array | null = null;
  const stderr: string[] = [];
  const result = await asc.main([entry, "--config", "asconfig.json", "--target", "release", "--outFile", "out.wasm", "--baseDir", root, "--noColors"], {
    stdout: asc.createMemoryStream(),
    stderr: asc.createMemoryStream((chunk) => stderr.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk))),
    writeFile: (name, contents) => {
      if (name.endsWith(".wasm") && typeof contents !== "string") binary = contents;
    },
  });
  if (result.error || binary === null)
    throw new AssemblyCompileError(`compileAssembly: asc failed on ${entry}: ${result.error?.message ?? "no binary emitted"}\n${stderr.join("")}`);
  return binary;
}

/**
 * Returns the compiled `entry`, from `out` (relative to the root) when fresh, else compiled and written
 * there atomically (a temporary file renamed into place, so parallel test workers never read half a file).
 */
export async function ensureCompiled(entry: string, out: string, opts: CompileOptions = {}): Promise<Uint8Array> {
  const root = resolve(opts.root ?? DEFAULT_ROOT);
  const outPath = join(root, out);
  const pending = inFlight.get(outPath);
  if (pending) return pending;
  const job = (async () => {
    if (!opts.force && (await isFresh(outPath, root))) return new Uint8Array(await readFile(outPath));
    const binary = await compileAssembly(entry, { root });
    await mkdir(dirname(outPath), { recursive: true });
    const tmp = `${outPath}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, binary);
    await rename(tmp, outPath);
    return binary;
  })();
  inFlight.set(outPath, job);
  try {
    return await job;
  } finally {
    inFlight.delete(outPath);
  }
}

/**
 * The generic scorer module (no model yet): in a checkout, build/scorer-base.wasm compiled when needed; in an
 * installed package (no assembly/ sources), the prebuilt dist/scorer-base.wasm.
 */
export async function loadScorerBase(opts: CompileOptions = {}): Promise<Uint8Array> {
  const root = resolve(opts.root ?? DEFAULT_ROOT);
  if (!existsSync(join(root, SCORER_ENTRY))) return new Uint8Array(await readFile(join(root, PREBUILT_SCORER)));
  return ensureCompiled(SCORER_ENTRY, SCORER_BASE_OUT, opts);
}

/** The kernels test module: build/scorer-kernels.wasm, compiled when needed. */
export function loadKernelsModule(opts: CompileOptions = {}): Promise<Uint8Array> {
  return ensureCompiled(KERNELS_ENTRY, KERNELS_OUT, opts);
}
