import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../sdk/config";
import type { DataConfig } from "../../sdk/config-types";
import { prepareData } from "../../sdk/data/prepare";

function write(path: string, content: string | Buffer): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** Days 2014-10-{18..21}: `perDay[d]` rows on day d, each row with a unix timestamp within its day. */
const DAYS = ["2014-10-18", "2014-10-19", "2014-10-20", "2014-10-21"];
const PER_DAY = [40, 30, 20, 10];
const DAY0 = Date.UTC(2014, 9, 18) / 1000;

function log(): string {
  const lines = ["click,day,ts,C1"];
  for (const [d, day] of DAYS.entries())
    for (let i = 0; i < PER_DAY[d]!; i++) lines.push(`${i % 3 === 0 ? 1 : 0},${day},${DAY0 + d * 86400 + i * 60},c${i % 4}`);
  return lines.join("\n") + "\n";
}

const DATA: Omit<DataConfig, "train"> = {
  format: "csv",
  delimiter: ",",
  header: true,
  label: "click",
  features: [{ name: "C1", type: "categorical" }],
};

const counts = (p: { train: { n: number }; valid: { n: number }; test: { n: number } }) => [p.train.n, p.valid.n, p.test.n];

describe("a split by the values of a day column", () => {
  const dir = mkdtempSync(join(tmpdir(), "time-split-"));
  const train = write(join(dir, "log.csv"), log());

  it("puts each day's rows in its split: valid and test named, train the rest", async () => {
    const p = await prepareData({ ...DATA, train, split: { by: "day", valid: ["2014-10-20"], test: ["2014-10-21"] } }, { seed: 1 });
    expect(counts(p)).toEqual([70, 20, 10]);
    // The rows of a split are that split's days: the test rows are the file's last ten lines.
    expect([...p.test.lines!]).toEqual(Array.from({ length: 10 }, (_, i) => 92 + i));
  });

  it("leaves out the rows of no split when train is named too, and says so", async () => {
    const logs: string[] = [];
    const p = await prepareData({ ...DATA, train, split: { by: "day", train: ["2014-10-19"], valid: ["2014-10-20"], test: ["2014-10-21"] } }, { seed: 1, log: (m) => logs.push(m) });
    expect(counts(p)).toEqual([30, 20, 10]);
    expect(logs).toContain(`data: ${train}: 40 rows are in no split of data.split and are left out`);
  });

  it("splits by ranges of a numeric timestamp (from included, to excluded) and of ISO dates as text", async () => {
    const day = (d: number) => DAY0 + d * 86400;
    const byTs = await prepareData({ ...DATA, train, split: { by: "ts", train: { to: day(2) }, valid: { from: day(2), to: day(3) }, test: { from: day(3) } } }, { seed: 1 });
    expect(counts(byTs)).toEqual([70, 20, 10]);
    const byDate = await prepareData({ ...DATA, train, split: { by: "day", valid: { from: "2014-10-19", to: "2014-10-20" }, test: { from: "2014-10-20" } } }, { seed: 1 });
    expect(counts(byDate)).toEqual([40, 30, 30]);
  });

  it("draws only the splits without files of their own", async () => {
    const test = write(join(dir, "later.csv"), "click,day,ts,C1\n1,2014-10-22,0,c1\n0,2014-10-22,0,c2\n");
    const p = await prepareData({ ...DATA, train, test, split: { by: "day", valid: ["2014-10-21"] } }, { seed: 1 });
    expect(counts(p)).toEqual([90, 10, 2]);
  });

  it("names the file, line and column of a cell a numeric range cannot compare", async () => {
    const bad = write(join(dir, "bad.csv"), "click,day,ts,C1\n1,d,100,c1\n0,d,soon,c2\n");
    await expect(prepareData({ ...DATA, train: bad, split: { by: "ts", valid: { from: 0, to: 150 }, test: { from: 150 } } }, { seed: 1 })).rejects.toThrow(
      `${bad}:3: field 'ts': expected a number for the range of the split, got "soon"`,
    );
  });

  it("an unknown split column is refused when the file's header is read, with the nearest name", async () => {
    await expect(prepareData({ ...DATA, train, split: { by: "dayy", valid: ["x"], test: ["y"] } }, { seed: 1 })).rejects.toThrow(/unknown column 'dayy'; did you mean 'day'\?/);
  });
});

describe("a split by a Hive-style partition folder", () => {
  it("splits day=… folders of gzip parts by their day", async () => {
    const dir = mkdtempSync(join(tmpdir(), "time-split-hive-"));
    for (const [d, day] of DAYS.entries()) {
      const rows = Array.from({ length: PER_DAY[d]! }, (_, i) => `${i % 2},c${i % 5}`);
      write(join(dir, `logs/day=${day}/part-00000.csv.gz`), gzipSync(`click,C1\n${rows.join("\n")}\n`));
    }
    write(join(dir, "logs/_SUCCESS"), "");
    const p = await prepareData({ ...DATA, train: join(dir, "logs"), split: { by: "day", valid: ["2014-10-20"], test: ["2014-10-21"] } }, { seed: 1 });
    expect(counts(p)).toEqual([70, 20, 10]);
    await expect(prepareData({ ...DATA, train: join(dir, "logs"), split: { by: "dayy", valid: ["2014-10-20"], test: ["2014-10-21"] } }, { seed: 1 })).rejects.toThrow(
      `${join(dir, "logs/day=2014-10-18/part-00000.csv.gz")}: unknown column 'dayy'; did you mean 'day'? (columns: click, C1; from its folders: day)`,
    );
  });
});

describe("the split's configuration is checked before any data is read", () => {
  const base = {
    data: { train: "t.csv", format: "csv", header: false, label: "click", columns: ["click", "day", "C1"], features: [{ name: "C1" }] },
    teachers: [{ model: "LR" }],
  };
  const parse = (split: unknown, data: object = {}) => () => parseConfig({ ...base, data: { ...base.data, ...data, split } });

  it("accepts values and ranges and keeps them as written", () => {
    const config = parseConfig({ ...base, data: { ...base.data, split: { by: "day", valid: ["2014-10-20"], test: { from: "2014-10-21" } } } });
    expect(config.data.split).toEqual({ by: "day", valid: ["2014-10-20"], test: { from: "2014-10-21" } });
    expect(parseConfig({ ...base, data: { ...base.data, split: [0.8, 0.1, 0.1] } }).data.split).toEqual([0.8, 0.1, 0.1]);
  });

  it("refuses an unknown column with the nearest one", () => {
    expect(parse({ by: "dayy", valid: ["a"], test: ["b"] })).toThrow("config.data.split.by: no column 'dayy' in data.columns; did you mean 'day'?");
  });

  it("refuses a split that is missing, doubled by a file, overlapping, or an empty or reversed range", () => {
    expect(parse({ by: "day", valid: ["a"] })).toThrow("config.data.split.test: expected the test rows' values or range (or files in data.test), got nothing");
    expect(parse({ by: "day", valid: ["a"], test: ["b"] }, { test: "later.csv" })).toThrow("config.data.split.test: data.test has files of its own; drop one of the two");
    expect(parse({ by: "day", valid: ["a", "b"], test: ["b"] })).toThrow(`config.data.split.test: the value "b" is in both 'valid' and 'test'`);
    expect(parse({ by: "day", valid: { from: 1, to: 5 }, test: { from: 4 } })).toThrow("config.data.split.test: part of the range is in both 'valid' and 'test'");
    expect(parse({ by: "day", train: [3], valid: { from: 1, to: 5 }, test: { from: 5 } })).toThrow(`config.data.split.valid: the value 3 is in both 'train' and 'valid'`);
    expect(parse({ by: "day", valid: {}, test: ["b"] })).toThrow("config.data.split.valid: a range needs 'from', 'to' or both");
    expect(parse({ by: "day", valid: { from: 5, to: 1 }, test: ["b"] })).toThrow("config.data.split.valid: 'from' (5) must be below 'to' (1)");
    expect(parse({ by: "day", valid: { from: 1, to: "z" }, test: ["b"] })).toThrow("config.data.split.valid: 'from' and 'to' must both be numbers or both strings");
  });

  it("says what a split takes when it is neither fractions nor a split by a column", () => {
    expect(parse("by day")).toThrow('config.data.split: expected three fractions summing to 1, or a split by a column { by, valid, test }, got "by day"');
    expect(parse({ by: "day", valid: [], test: ["b"] })).toThrow("config.data.split.valid: expected a non-empty array of values, or a range { from, to }, got []");
    expect(parse({ by: "day", valid: ["a"], test: ["b"], tset: ["c"] })).toThrow("config.data.split.tset: unknown key; did you mean 'test'?");
    expect(parse({ by: "day", valid: { from: 1, upto: 2 }, test: ["b"] })).toThrow("config.data.split.valid.upto: unknown key; did you mean 'to'?");
  });

  it("resolves every path of a list and a glob from the config's folder", () => {
    const config = parseConfig({ ...base, data: { ...base.data, train: ["a/part-*.csv.gz", "/abs/b.csv"], split: [0.8, 0.1, 0.1] } }, "config", { baseDir: "/cfg" });
    expect(config.data.train).toEqual(["/cfg/a/part-*.csv.gz", "/abs/b.csv"]);
    expect(() => parseConfig({ ...base, data: { ...base.data, train: [], split: [0.8, 0.1, 0.1] } })).toThrow(
      "config.data.train: expected a file, folder or glob path, or a non-empty array of them, got []",
    );
  });
});
