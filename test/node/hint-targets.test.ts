import { describe, expect, it } from "vitest";
import { prepareData, resolveConfig, trainTeachers } from "../../sdk/index";
import { UserError } from "../../sdk/errors";
import { subsetDataset, type EncodedDataset } from "../../sdk/data/dataset";
import { hintTargets } from "../../sdk/pipeline/hint-targets";
import { predictOutputs } from "../../sdk/train/step";

/** Hints come from the best teacher that has a hidden layer, whatever the best teacher overall is. */
const config = resolveConfig({
  data: { synthetic: { seed: 9, rows: { train: 1500, valid: 400, test: 400 }, fields: 4, vocabSize: 10, interactions: 2, zipf: 1, ctr: 0.25 } },
  teachers: [{ model: "LR" }, { model: "DNN", hiddenUnits: [12, 6] }],
  training: { epochs: 1, batchSize: 256 },
});

describe("hintTargets", () => {
  it("skips a better teacher without a hidden layer, and takes the last hidden layer of the one that has it", async () => {
    const data = await prepareData(config);
    const teachers = await trainTeachers(config, data, { backend: "cpu" });
    // Make LR the best teacher by validation AUC, as it often is on small data.
    const [lr, dnn] = teachers as [(typeof teachers)[0], (typeof teachers)[0]];
    const ranked = [{ ...lr, valid: { ...lr.valid, auc: 0.99 } }, dnn];
    const hint = hintTargets(ranked, data);
    expect(hint.teacher).toBe("DNN");
    expect(hint.dim).toBe(6);
    // Computed per batch: the teacher's hidden layer on exactly the batch's rows.
    const train = data.train as EncodedDataset;
    const rows = Int32Array.of(5, 0, 17);
    const batch = { ...subsetDataset(train, rows), index: rows };
    const targets = hint.targets(batch);
    expect(targets.shape).toEqual([3, 6]);
    const whole = predictOutputs(dnn.trained!.model, train, (o) => o.hidden!, 6);
    Array.from(rows).forEach((r, i) => Array.from(whole.subarray(r * 6, r * 6 + 6)).forEach((x, k) => expect(targets.dataSync()[i * 6 + k]).toBeCloseTo(x, 5)));
    targets.dispose();
    expect(() => hintTargets([ranked[0]!], data)).toThrow(UserError);
    expect(() => hintTargets([ranked[0]!], data)).toThrow(/no teacher trained here has a hidden layer/);
  });
});
