import { describe, expect, it } from "vitest";
import { sequentialBatches, shuffledBatches } from "../../sdk/data/batches";
import { encodeRecords, encodeRecordStream, subsetDataset, type EncodedDataset } from "../../sdk/data/dataset";
import { fitFeatureMap } from "../../sdk/data/feature-map-fit";
import { mulberry32 } from "../../sdk/data/prng";
import { BadLines, type RawRecord } from "../../sdk/data/readers/types";
import { DataError } from "../../sdk/errors";
import { RowEncoder } from "../../sdk/runtime/encode";

const map = fitFeatureMap(
  [
    { name: "c", type: "categorical" },
    { name: "x", type: "numeric", transform: "none" },
  ],
  "click",
  // x spans 0..5000 in training, so that the records below (x = row index) are inside the clipping range.
  [["a", "1"], ["b", "2"], ["a", "3"], ["b", "0"], ["a", "5000"]],
);
const encoder = new RowEncoder(map, "text");
// c: offset 0, vocab [a, b] (a:1, b:2, OOV 3); x: offset 4 (value row 4, missing row 5)

function records(n: number): RawRecord[] {
  return Array.from({ length: n }, (_, i) => ({ line: i + 2, label: i % 2, cells: [i % 3 === 0 ? "a" : "b", String(i)] }));
}

describe("encodeRecords", () => {
  it("encodes cells in feature order into ids, values, labels and source lines", () => {
    const ds = encodeRecords(encoder, [
      { line: 2, label: 1, cells: ["a", "2.5"] },
      { line: 3, label: 0, cells: ["zz", ""] },
    ]);
    expect(ds.n).toBe(2);
    expect(ds.layout.numSlots).toBe(2);
    expect([...ds.ids]).toEqual([1, 4, 3, 5]);
    expect([...ds.values]).toEqual([1, 2.5, 1, 1]);
    expect([...ds.labels]).toEqual([1, 0]);
    expect([...ds.lines!]).toEqual([2, 3]);
  });

  it("grows its buffers past the initial capacity", () => {
    const ds = encodeRecords(encoder, records(5000));
    expect(ds.n).toBe(5000);
    expect(ds.ids.length).toBe(10000);
    expect(ds.values[2 * 4999 + 1]).toBe(4999);
  });

  it("turns an encoding error into a DataError naming file, line and field", () => {
    const bad = [{ line: 7, label: 0, cells: ["a", "abc"] }];
    expect(() => encodeRecords(encoder, bad, "data.csv")).toThrow(DataError);
    expect(() => encodeRecords(encoder, bad, "data.csv")).toThrow(`data.csv:7: field 'x': expected a finite number, got "abc"`);
  });

  it("with skipBadLines drops rows that do not encode and records where they were", () => {
    const bad = new BadLines(true);
    const ds = encodeRecords(encoder, [{ line: 2, label: 1, cells: ["a", "x"] }, { line: 3, label: 0, cells: ["b", "1"] }], "d.csv", { bad });
    expect(ds.n).toBe(1);
    expect([...ds.ids]).toEqual([2, 4]);
    expect(bad.summary()).toEqual({ skipped: 1, first: [`d.csv:2: field 'x': expected a finite number, got "x"`] });
  });

  it("encodes an async stream of record chunks like the records themselves", async () => {
    async function* chunks() {
      yield records(3);
      yield records(2);
    }
    const ds = await encodeRecordStream(encoder, chunks());
    expect(ds.n).toBe(5);
    expect([...ds.ids.slice(6)]).toEqual([...encodeRecords(encoder, records(2)).ids]);
  });

  it("subsetDataset copies the given rows in the given order", () => {
    const ds = encodeRecords(encoder, records(4));
    const sub = subsetDataset(ds, [3, 0]);
    expect([...sub.values]).toEqual([1, 3, 1, 0]);
    expect([...sub.labels]).toEqual([1, 0]);
    expect(() => subsetDataset(ds, [4])).toThrow(/row 4 is outside 0\.\.3/);
  });
});

describe("batches", () => {
  const ds: EncodedDataset = encodeRecords(encoder, records(10));

  it("shuffledBatches visits every row exactly once per epoch, the last batch smaller", () => {
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const b of shuffledBatches(ds, 4, mulberry32(1))) {
      sizes.push(b.n);
      seen.push(...b.index);
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("fills each batch with the rows its index names", () => {
    for (const b of shuffledBatches(ds, 3, mulberry32(2))) {
      expect(b.ids.length).toBe(b.n * 2);
      for (let k = 0; k < b.n; k++) {
        const r = b.index[k]!;
        expect([b.ids[2 * k], b.ids[2 * k + 1]]).toEqual([ds.ids[2 * r], ds.ids[2 * r + 1]]);
        expect(b.values[2 * k + 1]).toBe(ds.values[2 * r + 1]);
        expect(b.labels[k]).toBe(ds.labels[r]);
      }
    }
  });

  it("is deterministic for a seed and differs for another", () => {
    const order = (seed: number) => [...shuffledBatches(ds, 10, mulberry32(seed))].flatMap((b) => [...b.index]);
    expect(order(5)).toEqual(order(5));
    expect(order(5)).not.toEqual(order(6));
  });

  it("sequentialBatches yields views in dataset order", () => {
    const batches = [...sequentialBatches(ds, 4)];
    expect(batches.map((b) => b.n)).toEqual([4, 4, 2]);
    expect([...batches[2]!.index]).toEqual([8, 9]);
    expect(batches[1]!.ids.buffer).toBe(ds.ids.buffer);
    expect([...batches[2]!.labels]).toEqual([0, 1]);
  });

  it("refuses a batch size below 1", () => {
    expect(() => [...shuffledBatches(ds, 0, mulberry32(1))]).toThrow(/'batchSize' must be an integer >= 1, got 0/);
  });
});
