import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { parseConfig } from "../../sdk/config";
import { generateSynthetic } from "../../sdk/data/synthetic";
import { silentLogger } from "../../sdk/log";
import { runPipeline } from "../../sdk/pipeline/run";

beforeAll(async () => {
  await selectBackend("cpu");
});

const synthetic = { seed: 3, rows: { train: 3000, valid: 800, test: 800 }, fields: 6, vocabSize: 12, interactions: 4, zipf: 1.0, ctr: 0.3 };
const training = { batchSize: 256, epochs: 3, learningRate: 0.01, seed: 2, patience: 1 };

/** The synthetic log written as CSV files, with the true click probability as a logged teacher column. */
function writeCsvWithOracle(dir: string): Record<"train" | "valid" | "test", string> {
  const gen = generateSynthetic(synthetic);
  const files = {} as Record<"train" | "valid" | "test", string>;
  for (const part of ["train", "valid", "test"] as const) {
    const lines = [[...gen.fields, "click", "oracle_p"].join(",")];
    gen[part].rows.forEach((row, r) => lines.push([...row, gen[part].labels[r], gen[part].probs[r]!.toFixed(6)].join(",")));
    files[part] = join(dir, `${part}.csv`);
    writeFileSync(files[part], lines.join("\n") + "\n");
  }
  return files;
}

describe("distillation from logged teacher scores", () => {
  it("distils a column of teacher probabilities without training any teacher", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ctr-distill-logged-"));
    const files = writeCsvWithOracle(dir);
    const config = parseConfig({
      data: {
        ...files,
        format: "csv",
        label: "click",
        features: generateSynthetic(synthetic).fields.map((name) => ({ name, type: "categorical" })),
        teacherScores: { columns: ["oracle_p"], kind: "probability" },
      },
      teachers: [],
      student: { embeddingDim: 4, hiddenUnits: [16] },
      distill: { ensemble: "best", alpha: 0.2 },
      training,
    });
    const report = await runPipeline({ config, outDir: join(dir, "run"), log: silentLogger, backend: "cpu", httpCheckPort: null });
    expect(report.teachers).toEqual([expect.objectContaining({ model: "oracle_p", params: 0 })]);
    const oracle = report.teachers[0]!.auc;
    // The logged column is the true CTR: its AUC is the Bayes bound of the test file.
    expect(oracle).toBeCloseTo(generateSynthetic(synthetic).bayes.auc, 3);
    expect(report.students[1]!.auc).toBeGreaterThan(0.55);
  });

  it("refuses a teacher score that is not a probability, naming file, line and column", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ctr-distill-logged-bad-"));
    const files = writeCsvWithOracle(dir);
    writeFileSync(files.valid, "C1,C2,C3,C4,C5,C6,click,oracle_p\nv1,v1,v1,v1,v1,v1,0,1.5\n");
    const config = parseConfig({
      data: { ...files, format: "csv", label: "click", features: [{ name: "C1" }], teacherScores: { columns: ["oracle_p"], kind: "probability" } },
      teachers: [],
      training,
    });
    await expect(runPipeline({ config, outDir: join(dir, "run"), log: silentLogger, backend: "cpu", httpCheckPort: null })).rejects.toThrow(
      /valid\.csv:2: field 'oracle_p': expected a probability in \[0, 1\], got 1\.5/,
    );
  });
});

describe("joint training", () => {
  it("trains teachers and student in one loop and exports the student", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ctr-distill-joint-"));
    const config = parseConfig({
      data: { synthetic },
      teachers: [{ model: "DNN", hiddenUnits: [16] }, { model: "DeepFM", hiddenUnits: [16] }],
      student: { embeddingDim: 4, hiddenUnits: [8] },
      distill: { ensemble: "mean", teacherTraining: "joint" },
      training,
    });
    const report = await runPipeline({ config, outDir: join(dir, "run"), log: silentLogger, backend: "cpu", httpCheckPort: null });
    expect(report.students[1]!.name).toBe("student (KD, mean, joint)");
    for (const row of [...report.teachers, ...report.students]) expect(row.auc).toBeGreaterThan(0.55);
    expect(report.wasm.maxAbsDiff).toBeLessThan(1e-5);
  });
});
