import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../sdk/config";
import { prepareData } from "../../sdk/data/prepare";
import { openRecords, type ReaderOptions } from "../../sdk/data/readers/index";

const dir = mkdtempSync(join(tmpdir(), "ctr-distill-hints-"));
const SHARED = resolve(import.meta.dirname, "../../../shared/data");

/** The message of the error reading `file` throws. */
async function readError(file: string, options: ReaderOptions): Promise<string> {
  try {
    await openRecords(file, options).readAll();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected reading ${file} to fail`);
}

describe("text labels through data.positive", () => {
  it("a config with positive: [\"yes\"] reads yes as 1 and every other value as 0", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i % 4 === 0 ? "yes" : i % 4 === 1 ? "no" : "skip"},u${i % 7}`);
    writeFileSync(join(dir, "clicks.csv"), ["answer,user", ...rows].join("\n") + "\n");
    const config = { data: { train: "clicks.csv", split: [0.8, 0.1, 0.1], label: "answer", positive: ["yes"], features: [{ name: "user" }] }, teachers: [{ model: "LR" }] };
    writeFileSync(join(dir, "clicks.json"), JSON.stringify(config));
    const cfg = loadConfig(join(dir, "clicks.json"));
    const p = await prepareData(cfg.data, { seed: cfg.training.seed });
    const labels = [p.train, p.valid, p.test].flatMap((d) => Array.from(d.labels));
    expect(labels).toHaveLength(200);
    expect(labels.filter((y) => y === 1)).toHaveLength(50);
  });

  it("without it, a text label says which key maps it", async () => {
    const file = join(dir, "yes-no.csv");
    writeFileSync(file, "answer,user\nyes,u1\n");
    expect(await readError(file, { format: "csv", header: true, label: "answer", select: ["user"] })).toBe(
      `${file}:2: field 'answer': cannot parse label "yes" (text labels are mapped by data.positive, e.g. ["yes"])`,
    );
  });
});

describe("errors that suggest the fix", () => {
  it("a header line read as data says so", async () => {
    const file = join(dir, "with-header.csv");
    writeFileSync(file, "click,user\n1,u1\n");
    expect(await readError(file, { format: "csv", header: false, columns: ["click", "user"], label: "click", select: ["user"] })).toBe(
      `${file}:1: field 'click': cannot parse label "click" (a header line? set data.header to true)`,
    );
  });

  it("a near-miss column name gets the header's nearest column", async () => {
    const file = join(dir, "users.csv");
    writeFileSync(file, "click,user_id,item_id\n1,u,i\n");
    expect(await readError(file, { format: "csv", header: true, label: "click", select: ["userid"] })).toBe(
      `${file}: unknown column 'userid'; did you mean 'user_id'? (columns: click, user_id, item_id)`,
    );
  });

  it.skipIf(!existsSync(SHARED))("a TSV file read as CSV says so (Criteo's sample)", async () => {
    const file = join(SHARED, "criteo-sample/criteo_wideresdnn_train.tsv");
    expect(await readError(file, { format: "csv", header: false, label: "0", select: ["1"] })).toBe(
      `${file}:1: the first line has no "," but tabs: a TSV file read as CSV? set data.format to "tsv"`,
    );
  });

  it.skipIf(!existsSync(SHARED))("a CSV file read as TSV says so (Avazu's sample)", async () => {
    const file = join(SHARED, "avazu-sample/avazu_wideresdnn_train.csv");
    expect(await readError(file, { format: "tsv", header: true, label: "click", select: ["C1"] })).toMatch(/:1: the first line has no "\\t" but commas: a CSV file read as TSV\? set data.format to "csv"$/);
  });

  it.skipIf(!existsSync(SHARED))("a validation file without the header of its train file points to data.columns (Avazu's sample)", async () => {
    const file = join(SHARED, "avazu-sample/avazu_wideresdnn_dev.csv");
    expect(await readError(file, { format: "csv", header: true, label: "click", select: ["C1"] })).toMatch(
      new RegExp(`^${file}: unknown column 'click' \\(columns: 10001868339616595934, 0, .*\\); if the file has no header line, name its columns in data\\.columns$`),
    );
  });
});
