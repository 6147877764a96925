// Distil from teacher scores logged by a system that trained elsewhere (Spark, PyTorch, a serving log):
// a CSV with the features, the label and a column of the teacher's click probability. No teacher runs here.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateSynthetic, openRun, runPipeline } from "ctr-distill";

// Stand-in for the upstream log: a synthetic click log whose "teacher" is the true click probability.
const dir = process.argv[2] ?? ".";
const log = generateSynthetic({ seed: 3, rows: { train: 4000, valid: 1000, test: 1000 }, fields: 6, vocabSize: 20, interactions: 4, zipf: 1, ctr: 0.2 });
for (const split of ["train", "valid", "test"] as const) {
  const rows = log[split].rows.map((cells, i) => [...cells, log[split].labels[i], log[split].probs[i]!.toFixed(6)].join(","));
  writeFileSync(join(dir, `${split}.csv`), [[...log.fields, "click", "upstream_ctr"].join(","), ...rows].join("\n") + "\n");
}

const report = await runPipeline(
  {
    data: {
      train: join(dir, "train.csv"), valid: join(dir, "valid.csv"), test: join(dir, "test.csv"), label: "click",
      features: log.fields.map((name) => ({ name, type: "categorical" as const })),
      teacherScores: { columns: ["upstream_ctr"], kind: "probability" },
    },
    teachers: [],
    student: { embeddingDim: 4, hiddenUnits: [16] },
    distill: { ensemble: "best", alpha: 0.3 },
    training: { epochs: 2, batchSize: 256 },
  },
  { outDir: join(dir, "logged-run"), overwrite: true, logger: console.error },
);
console.log(`logged teacher AUC ${report.teachers[0]!.auc.toFixed(4)}, distilled student AUC ${report.students[1]!.auc.toFixed(4)}`);
const run = await openRun(report.artifact);
console.log("scores", Array.from(run.score([{ C1: "v1" }, { C2: "v5", C3: "v2" }])));
