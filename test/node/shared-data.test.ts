import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../sdk/config";
import { prepareData } from "../../sdk/data/prepare";
import { openRecords, type ReaderOptions } from "../../sdk/data/readers/index";

/** The real data sets beside the repository (absent in a user's clone): see ../shared/data/README.md. */
const SHARED = resolve(process.cwd(), "../shared/data");
const present = existsSync(SHARED);
if (!present) console.log(`shared-data.test.ts: ${SHARED} is absent; skipping the checks of the shared data sets`);

async function count(file: string, options: ReaderOptions): Promise<{ rows: number; positives: number }> {
  let rows = 0;
  let positives = 0;
  for await (const chunk of openRecords(join(SHARED, file), options).chunks())
    for (const r of chunk) {
      rows++;
      positives += r.label;
    }
  return { rows, positives };
}

const CRITEO_COLUMNS = ["label", ...Array.from({ length: 13 }, (_, i) => `I${i + 1}`), ...Array.from({ length: 26 }, (_, i) => `C${i + 1}`)];
const AVAZU_COLUMNS = [
  "id", "click", "hour", "C1", "banner_pos", "site_id", "site_domain", "site_category", "app_id", "app_domain", "app_category",
  "device_id", "device_ip", "device_model", "device_type", "device_conn_type", "C14", "C15", "C16", "C17", "C18", "C19", "C20", "C21",
];

describe.skipIf(!present)("shared data sets, read by the streaming readers (counts from their READMEs)", () => {
  it("criteo-sample: the three headerless TSV files have 40 columns and 7,200 / 409 / 391 rows", async () => {
    const tsv: ReaderOptions = { format: "tsv", header: false, columns: CRITEO_COLUMNS, label: "label", select: CRITEO_COLUMNS.slice(1) };
    expect(await count("criteo-sample/criteo_wideresdnn_train.tsv", tsv)).toEqual({ rows: 7200, positives: 1549 });
    expect(await count("criteo-sample/criteo_wideresdnn_dev.tsv", tsv)).toEqual({ rows: 409, positives: 93 });
    expect(await count("criteo-sample/criteo_wideresdnn_test.tsv", tsv)).toEqual({ rows: 391, positives: 86 });
  });

  it("criteo-sample: the DeepCTR CSV fixture has a header and 200 rows", async () => {
    const csv: ReaderOptions = { format: "csv", header: true, label: "label", select: ["I1", "C26"] };
    expect(await count("criteo-sample/criteo_deepctr_sample.csv", csv)).toEqual({ rows: 200, positives: 49 });
  });

  it("avazu-sample: train has a header, dev and test do not; 8,087 / 480 / 432 rows", async () => {
    const csv: ReaderOptions = { format: "csv", header: "auto", columns: AVAZU_COLUMNS, label: "click", select: AVAZU_COLUMNS.slice(3) };
    expect(await count("avazu-sample/avazu_wideresdnn_train.csv", csv)).toEqual({ rows: 8087, positives: 1397 });
    expect(await count("avazu-sample/avazu_wideresdnn_dev.csv", csv)).toEqual({ rows: 480, positives: 86 });
    expect(await count("avazu-sample/avazu_wideresdnn_test.csv", csv)).toEqual({ rows: 432, positives: 80 });
  });

  it("frappe-x1: 57,722 libFM rows of exactly 10 pairs, field k within its README index range", async () => {
    const select = Array.from({ length: 10 }, (_, k) => `f${k + 1}`);
    const ranges = [[0, 954], [957, 5038], [5039, 5045], [5046, 5052], [5053, 5054], [5055, 5057], [5058, 5059], [5060, 5068], [5069, 5148], [5149, 5381]];
    const min = new Array<number>(10).fill(Infinity);
    const max = new Array<number>(10).fill(-Infinity);
    let rows = 0;
    let positives = 0;
    for await (const chunk of openRecords(join(SHARED, "frappe-x1/frappe.validation.libfm"), { format: "libsvm", label: "label", select }).chunks())
      for (const r of chunk) {
        rows++;
        positives += r.label;
        r.cells.forEach((c, k) => {
          min[k] = Math.min(min[k]!, Number(c));
          max[k] = Math.max(max[k]!, Number(c));
        });
      }
    expect({ rows, positives }).toEqual({ rows: 57722, positives: 19063 });
    for (let k = 0; k < 10; k++) {
      expect(min[k]).toBeGreaterThanOrEqual(ranges[k]![0]!);
      expect(max[k]).toBeLessThanOrEqual(ranges[k]![1]!);
    }
  });

  it("movielens-100k: 100,000 ratings with 55,375 at >= 4, the u1 and ua splits, 943 users and 1,682 items", async () => {
    const ratings: ReaderOptions = { format: "tsv", header: false, columns: ["user", "item", "rating", "ts"], label: "rating", labelThreshold: 4, select: ["user", "item"] };
    expect(await count("movielens-100k/u.data", ratings)).toEqual({ rows: 100000, positives: 55375 });
    expect((await count("movielens-100k/u1.base", ratings)).rows).toBe(80000);
    expect((await count("movielens-100k/u1.test", ratings)).rows).toBe(20000);
    expect((await count("movielens-100k/ua.base", ratings)).rows).toBe(90570);
    expect((await count("movielens-100k/ua.test", ratings)).rows).toBe(9430);
    const piped = (label: string): ReaderOptions => ({ format: "csv", delimiter: "|", header: false, label, labelThreshold: 0, select: ["0"] });
    expect((await count("movielens-100k/u.user", piped("1"))).rows).toBe(943);
    expect((await count("movielens-100k/u.item", piped("5"))).rows).toBe(1682);
  });
});

describe.skipIf(!present)("presets in configs/ prepare their shared data set", () => {
  const prepare = (name: string) => {
    const cfg = loadConfig(resolve(process.cwd(), `configs/${name}.json`));
    return prepareData(cfg.data, { seed: cfg.training.seed });
  };

  it("criteo-sample.json: 7,200 / 409 / 391 rows, 39 fields", async () => {
    const p = await prepare("criteo-sample");
    expect([p.train.n, p.valid.n, p.test.n]).toEqual([7200, 409, 391]);
    expect(p.featureMap.features.length).toBe(39);
    expect(p.featureMap.features[0]!.type).toBe("log-square");
  });

  it("avazu-sample.json: 8,087 / 480 / 432 rows, 21 fields", async () => {
    const p = await prepare("avazu-sample");
    expect([p.train.n, p.valid.n, p.test.n]).toEqual([8087, 480, 432]);
    expect(p.featureMap.features.length).toBe(21);
  });

  it("frappe-x1.json: 57,722 rows split about 80/10/10, 10 fields", async () => {
    const p = await prepare("frappe-x1");
    expect(p.train.n + p.valid.n + p.test.n).toBe(57722);
    expect(p.train.n / 57722).toBeCloseTo(0.8, 1);
    expect(p.featureMap.features.length).toBe(10);
  });

  it("movielens-100k.json: u1.base as train + valid, u1.test as test, label rating >= 4", async () => {
    const p = await prepare("movielens-100k");
    expect(p.train.n + p.valid.n).toBe(80000);
    expect(p.test.n).toBe(20000);
    const positives = p.test.labels.reduce((s, y) => s + y, 0);
    expect(positives / p.test.n).toBeGreaterThan(0.5);
  });

  it("movielens-100k-profiles.json: joins every rating to its user's profile and its movie's genres", async () => {
    const p = await prepare("movielens-100k-profiles");
    expect([p.train.n + p.valid.n, p.test.n]).toEqual([80000, 20000]);
    const [, , age, gender, occupation, , genres] = p.featureMap.features;
    expect(gender).toMatchObject({ type: "categorical", vocab: expect.arrayContaining(["M", "F"]) });
    expect((occupation as { vocab: string[] }).vocab).toHaveLength(21);
    expect(age!.type).toBe("quantile");
    expect(genres).toMatchObject({ type: "sequence", maxLength: 6 });
    expect((genres as { vocab: string[] }).vocab).toHaveLength(19);
    // Every movie has at least one genre and every user a profile: no row takes a missing row (local id 0).
    const { numSlots } = p.test.layout;
    let missing = 0;
    for (let r = 0; r < p.test.n; r++) if (p.test.ids[r * numSlots + 3] === gender!.offset || p.test.ids[r * numSlots + 6] === genres!.offset) missing++;
    expect(missing).toBe(0);
  });
});
