import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The package as a user gets it: `npm pack`, the tarball installed into an empty project, the examples
 * type-checked there under `--strict` against the shipped declarations and run against the installed code.
 * Only npm packages are fetched (from npm's cache after `npm ci`, else the registry).
 */
const ROOT = resolve(import.meta.dirname, "../..");
const NPM = "npm";
const NPX = "npx";
/** The tools the user's project brings: the versions this repository pins. */
const devPins = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies as Record<string, string>;
const USER_TOOLS = ["typescript", "@types/node", "@cloudflare/workers-types"].map((name) => `${name}@${devPins[name]}`);
/** Test and benchmark tooling that must not reach a user's node_modules. */
const DEV_ONLY = ["vitest", "deno", "bun", "playwright-core", "onnxruntime-node", "onnxruntime-web", "assemblyscript", "esbuild", "@tensorflow/tfjs"];

const TINY_CONFIG = {
  data: { synthetic: { seed: 11, rows: { train: 3000, valid: 600, test: 600 }, fields: 5, vocabSize: 12, interactions: 3, zipf: 1, ctr: 0.25 } },
  teachers: [{ model: "LR" }, { model: "DNN", hiddenUnits: [16] }],
  student: { embeddingDim: 4, hiddenUnits: [8] },
  distill: { ensemble: "gating" },
  training: { epochs: 2, batchSize: 256 },
};

/** Runs a command to completion; a failure carries its output (tsc reports on stdout). */
function sh(cmd: string, args: string[], cwd: string, opts: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000, ...opts }) as string;
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

function duBytes(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + duBytes(join(path, name)), 0);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

describe("the packed tarball in an empty project", () => {
  const work = mkdtempSync(join(tmpdir(), "ctr-distill-pack-"));
  const project = join(work, "project");
  let tarball = "";

  beforeAll(() => {
    sh(process.execPath, ["scripts/build.mjs"], ROOT);
    const [packed] = JSON.parse(sh(NPM, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT)) as { filename: string; size: number }[];
    tarball = join(work, packed!.filename);
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
    sh(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, ...USER_TOOLS], project);
    for (const file of readdirSync(join(ROOT, "examples/sdk"))) copyFileSync(join(ROOT, "examples/sdk", file), join(project, file));
    console.log(`package: tarball ${mib(packed!.size)}; the user's node_modules ${mib(duBytes(join(project, "node_modules")))} with typescript, @types/node and workers-types, ${mib(duBytes(join(project, "node_modules")) - ["typescript", "@types", "@cloudflare"].reduce((s, d) => s + duBytes(join(project, "node_modules", d)), 0))} without`);
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("installs the runtime dependencies only, none of the test and benchmark tooling", () => {
    for (const name of DEV_ONLY) expect(() => statSync(join(project, "node_modules", name)), name).toThrow();
    expect(statSync(join(project, "node_modules/@tensorflow/tfjs-core")).isDirectory()).toBe(true);
    expect(statSync(join(project, "node_modules/ctr-distill/dist/scorer-base.wasm")).size).toBeGreaterThan(1000);
  });

  it("type-checks the examples under --strict against the shipped declarations and runs train → distil → export → score", () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", outDir: "out" }, files: ["train-distill-score.ts", "logged-teacher-scores.ts"] }),
    );
    sh(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "."], project);
    const out = sh(process.execPath, ["out/train-distill-score.js", "first-run"], project);
    expect(out).toMatch(/DNN epoch 2\/2: valid AUC 0\.\d+/);
    expect(out).toMatch(/student test AUC 0\.\d+; gate weights/);
    const scores = /scores \[ ([\d.e-]+), ([\d.e-]+) \]/.exec(out);
    expect(scores, out).not.toBeNull();
    for (const s of scores!.slice(1).map(Number)) expect(s > 0 && s < 1, String(s)).toBe(true);
    expect(readdirSync(join(project, "first-run"))).toEqual(expect.arrayContaining(["student.wasm", "feature-map.json", "model.json"]));
  });

  it("runs the logged-teacher-scores example: distils from a column of upstream probabilities", () => {
    mkdirSync(join(project, "logged"));
    const out = sh(process.execPath, ["out/logged-teacher-scores.js", "logged"], project);
    expect(out).toMatch(/logged teacher AUC 0\.\d+, distilled student AUC 0\.\d+/);
    expect(out).toMatch(/scores \[ [\d.e-]+, [\d.e-]+ \]/);
  });

  it("type-checks a user's own Worker against ctr-distill/worker with workers-types", () => {
    for (const file of ["feature-map.json", "model.json"]) copyFileSync(join(project, "first-run", file), join(project, file));
    writeFileSync(
      join(project, "tsconfig.worker.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "preserve", moduleResolution: "bundler", target: "es2022", lib: ["es2022"], resolveJsonModule: true, noEmit: true, types: ["@cloudflare/workers-types"] }, files: ["worker.ts", "wasm-module.d.ts"] }),
    );
    sh(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.worker.json"], project);
  });

  it("ships a runtime entry with no imports at all (browsers, Deno, Bun and Workers load it as is)", async () => {
    const runtime = readFileSync(join(project, "node_modules/ctr-distill/dist/runtime.js"), "utf8");
    expect(runtime).not.toMatch(/^\s*import\s|\bimport\(|\brequire\(/m);
    const mod = (await import(join(project, "node_modules/ctr-distill/dist/runtime.js"))) as Record<string, unknown>;
    expect(Object.keys(mod)).toEqual(expect.arrayContaining(["Scorer", "RowEncoder", "validateFeatureMap"]));
  });

  it("runs `npx ctr-distill run` from the installed bin, without wrangler", () => {
    writeFileSync(join(project, "tiny.json"), JSON.stringify(TINY_CONFIG));
    expect(sh(NPX, ["ctr-distill", "--version"], project).trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    // wrangler is an optional peer dependency, absent here: the HTTP self-check is skipped with a note.
    expect(() => createRequire(join(project, "package.json")).resolve("wrangler/package.json"), "a node_modules above the temporary folder holds wrangler").toThrow();
    const report = JSON.parse(sh(NPX, ["ctr-distill", "run", "--config", "tiny.json", "--out", "cli-run", "--json"], project)) as { artifact: string; students: unknown[]; http: unknown };
    expect(report.http).toBeNull();
    expect(report.students.length).toBeGreaterThan(0);
    expect(readdirSync(join(project, "cli-run"))).toEqual(expect.arrayContaining(["student.wasm", "feature-map.json", "model.json", "config.json"]));
  });
});
