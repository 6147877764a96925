import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AbortError, distill, exportStudent, openRun, prepareData, resolveConfig, runPipeline, trainTeachers, type ProgressEvent, type RunConfigInput } from "../../sdk/index";
import { RowEncoder } from "../../sdk/runtime/encode";

const SYNTHETIC = { seed: 5, rows: { train: 3000, valid: 800, test: 800 }, fields: 5, vocabSize: 12, interactions: 3, zipf: 1, ctr: 0.25 };
const TINY: RunConfigInput = {
  data: { synthetic: SYNTHETIC },
  teachers: [{ model: "LR" }, { model: "DNN", hiddenUnits: [16] }],
  student: { embeddingDim: 4, hiddenUnits: [8] },
  distill: { ensemble: "mean" },
  training: { epochs: 2, batchSize: 256, learningRate: 0.01, patience: 1 },
};
/** Enough steps per epoch that an abort lands inside the first one. */
const SLOW: RunConfigInput = { ...TINY, data: { synthetic: { ...SYNTHETIC, rows: { train: 40000, valid: 800, test: 800 } } }, training: { ...TINY.training, batchSize: 16 } };

const tmp = () => mkdtempSync(join(tmpdir(), "ctr-distill-api-"));

afterEach(() => vi.restoreAllMocks());

describe("the SDK's stages", () => {
  it("trains, distils, exports and scores, reporting every epoch of every model through onProgress", async () => {
    const events: ProgressEvent[] = [];
    const onProgress = (e: ProgressEvent) => events.push(e);
    const config = resolveConfig(TINY);
    const data = await prepareData(config, { onProgress });
    const teachers = await trainTeachers(config, data, { onProgress });
    const { student } = await distill(config, data, teachers, { onProgress });
    const epochs = (model: string) => events.filter((e) => e.type === "epoch" && e.model === model).map((e) => (e.type === "epoch" ? `${e.epoch}/${e.epochs}` : ""));
    expect(epochs("LR")).toEqual(teachers[0]!.trained!.fit.history.map((h) => `${h.epoch}/2`));
    expect(epochs("DNN")).toEqual(teachers[1]!.trained!.fit.history.map((h) => `${h.epoch}/2`));
    expect(epochs(student.name)).toEqual(student.fit.history.map((h) => `${h.epoch}/2`));
    expect(events.filter((e) => e.type === "stage").map((e) => (e.type === "stage" ? e.stage : ""))).toEqual(["data", "teachers", "students"]);

    const dir = join(tmp(), "student-run");
    const exported = await exportStudent(config, data, student, { outDir: dir });
    const run = await openRun(dir);
    expect(run.modelId).toBe(exported.modelId);
    const rows = [{ C1: "v1", C2: "v3" }, { C3: "v0" }, { C1: "never-seen" }];
    const { ids, values, n } = new RowEncoder(data.featureMap, "json").encodeObjects(rows);
    expect(Array.from(run.score(rows))).toEqual(Array.from(run.scorer.score(ids, values, n)));
  });

  it("never writes to stdout or stderr unless given a logger", async () => {
    const out = vi.spyOn(process.stdout, "write");
    const err = vi.spyOn(process.stderr, "write");
    await runPipeline(TINY, { outDir: join(tmp(), "quiet") });
    expect(out).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
  });
});

describe("cancellation through an AbortSignal", () => {
  /** Aborts from a timer (the event loop must get a turn) at the first step event; records what came after. */
  function abortAtFirstStep() {
    const controller = new AbortController();
    const after: ProgressEvent[] = [];
    let aborted = false;
    const onProgress = (e: ProgressEvent) => {
      if (aborted) after.push(e);
      else if (e.type === "step") setTimeout(() => ((aborted = true), controller.abort()), 0);
    };
    return { signal: controller.signal, onProgress, after };
  }

  it("stops inside the first epoch and leaves an existing run exactly as it was", async () => {
    const parent = tmp();
    const dir = join(parent, "run");
    await runPipeline(TINY, { outDir: dir });
    const before = readFileSync(join(dir, "model.json"), "utf8");
    const listing = readdirSync(dir).sort();

    const { signal, onProgress, after } = abortAtFirstStep();
    await expect(runPipeline(SLOW, { outDir: dir, overwrite: true, signal, onProgress })).rejects.toBeInstanceOf(AbortError);
    expect(after.filter((e) => e.type === "epoch")).toEqual([]);
    expect(readFileSync(join(dir, "model.json"), "utf8")).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(listing);
    expect(readdirSync(parent)).toEqual(["run"]);
  });

  it("leaves nothing behind when the output folder did not exist", async () => {
    const parent = tmp();
    const { signal, onProgress } = abortAtFirstStep();
    await expect(runPipeline(SLOW, { outDir: join(parent, "new-run"), signal, onProgress })).rejects.toBeInstanceOf(AbortError);
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(join(parent, "new-run"))).toBe(false);
  });
});
