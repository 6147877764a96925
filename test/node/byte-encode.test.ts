import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FeatureConfig } from "../../sdk/config-types";
import { ByteVocabulary, encodeDataSet, parseIntegerBytes } from "../../sdk/data/byte-encode";
import { DatasetBuilder, DiskDatasetBuilder, type DatasetInfo, type RecordEncoder } from "../../sdk/data/dataset";
import { FeatureMapFitter } from "../../sdk/data/feature-map-fit";
import { DelimitedReader, openRecords, type DataPaths, type ReaderOptions } from "../../sdk/data/readers/index";
import { DataError } from "../../sdk/errors";
import { RowEncoder } from "../../sdk/runtime/encode";
import { hash32, hash32Bytes } from "../../sdk/runtime/hash";
import type { FeatureMap } from "../../sdk/runtime/feature-map";

const DATA = resolve(import.meta.dirname, "../../../shared/data");
const dir = mkdtempSync(join(tmpdir(), "ctr-distill-byte-encode-"));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** Fits a map on the records (bad cells skipped), as prepareData's first pass. */
async function fit(paths: DataPaths, options: ReaderOptions, features: FeatureConfig[]): Promise<FeatureMap> {
  const fitter = new FeatureMapFitter(features, options.label ?? "label", "data");
  for await (const chunk of openRecords(paths, { ...options, skipBadLines: true }).chunks())
    for (const rec of chunk) {
      try {
        fitter.add(rec.cells, rec.line, rec.file);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
      }
    }
  return fitter.finish();
}

type Builder = RecordEncoder<DatasetInfo>;

/** Encodes `paths` by today's record path (`byBytes` false) or by the byte path; the rows and what was skipped. */
async function encode(paths: DataPaths, options: ReaderOptions, map: FeatureMap, byBytes: boolean, disk = false) {
  const reader = openRecords(paths, options);
  const encoder = new RowEncoder(map, "text");
  const builder: Builder = disk ? new DiskDatasetBuilder(encoder, reader.file, { bad: reader.bad }, 3) : new DatasetBuilder(encoder, reader.file, { bad: reader.bad }, 2);
  if (byBytes) await encodeDataSet(reader, builder);
  else for await (const chunk of reader.chunks()) for (const rec of chunk) builder.add(rec);
  const ds = builder.finish();
  const rows = "store" in ds ? (ds as unknown as { store: { read(a: number, b: number, i: Int32Array, v: Float32Array): void } }).store : null;
  let ids = (ds as { ids?: Int32Array }).ids!;
  let values = (ds as { values?: Float32Array }).values!;
  if (rows !== null) {
    ids = new Int32Array(ds.n * encoder.numSlots);
    values = new Float32Array(ds.n * encoder.numSlots);
    rows.read(0, ds.n, ids, values);
  }
  return { n: ds.n, ids: [...ids], valueBits: [...new Int32Array(values.buffer, values.byteOffset, values.length)], labels: [...ds.labels].map(String), lines: [...ds.lines!], bad: reader.bad.summary(), names: reader.names };
}

/** Both paths give the same rows, bit for bit, and skip the same lines with the same messages. */
async function expectSame(paths: DataPaths, options: ReaderOptions, features: FeatureConfig[], disk = false) {
  const map = await fit(paths, options, features);
  const records = await encode(paths, options, map, false, disk);
  const bytes = await encode(paths, options, map, true, disk);
  expect(bytes).toEqual(records);
  return records;
}

/** The error each path throws (null when none). */
async function errorOf(paths: DataPaths, options: ReaderOptions, map: FeatureMap, byBytes: boolean): Promise<string | null> {
  try {
    await encode(paths, options, map, byBytes);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const FEATURES: FeatureConfig[] = [
  { name: "cat", type: "categorical", minCount: 1 },
  { name: "hash", type: "hashed", buckets: 97 },
  { name: "num", type: "numeric", transform: "standard" },
  { name: "cnt", type: "numeric", transform: "log-square", minCount: 1 },
  { name: "q", type: "quantile", quantiles: 4 },
  { name: "seq", type: "sequence", separator: "|", maxLength: 3, minCount: 1 },
];
const COLUMNS = ["click", "cat", "hash", "num", "cnt", "q", "seq"];

/** Rows that exercise every cell kind; `bad` adds cells that do not encode. */
function varied(delim: string, eol: string, bad: boolean): string {
  const lines = [COLUMNS.join(delim)];
  const cats = ["a", "b", "", "é", "日本", "😀", "a b", " a", "0", "007", "\u00a0x"];
  const nums = ["1", "-0", "0", "+3", "007", "1.5", "1e3", " 5", "5 ", "0x10", "", "-12", "123456789012345", "1234567890123456", ".5", "5.", "-7.25"];
  for (let i = 0; i < 120; i++) {
    const cells = [
      String(i % 3 === 0 ? 1 : 0),
      cats[i % cats.length]!,
      cats[(i * 7) % cats.length]! + (i % 5),
      nums[i % nums.length]!,
      nums[(i * 3) % nums.length]!.replace(/^-.*/, "4"),
      nums[(i * 5) % nums.length]!,
      ["a|b", "", "c", "a||b|c|d", "日|本"][i % 5]!,
    ];
    lines.push(cells.join(delim));
    if (i % 17 === 0) lines.push("");
    // Only delimiters: a blank line in TSV (trimmed away), a row of missing cells in CSV.
    if (i % 23 === 0) lines.push((delim === "\t" ? "" : "0") + delim.repeat(COLUMNS.length - 1));
  }
  if (bad) lines.push(["1", "a", "b", "abc", "1", "1", "a"].join(delim), ["0", "a"].join(delim), ["3", "a", "b", "1", "1", "1", "a"].join(delim), ["1", "a", "b", "1", "1", "1", "a", "extra"].join(delim));
  return lines.join(eol) + (bad ? "" : eol);
}

const tsv = (extra: Partial<ReaderOptions> = {}): ReaderOptions => ({ format: "tsv", header: true, label: "click", select: FEATURES.map((f) => f.name), ...extra });
const csv = (extra: Partial<ReaderOptions> = {}): ReaderOptions => ({ ...tsv(extra), format: "csv" });

describe("byte-level encoding pass", () => {
  afterEach(() => vi.restoreAllMocks());

  it("matches the record path bit for bit on TSV and CSV, LF and CRLF, every feature type", async () => {
    for (const [delim, eol, options] of [["\t", "\n", tsv()], ["\t", "\r\n", tsv()], [",", "\n", csv()], [",", "\r\n", csv()], [";", "\n", csv({ delimiter: ";" })]] as const) {
      const file = write(`varied-${delim === "\t" ? "tab" : delim}-${eol.length}.txt`, varied(delim, eol, false));
      const { n } = await expectSame(file, options, FEATURES);
      expect(n).toBe(delim === "\t" ? 120 : 126); // CSV rows of only delimiters are rows of missing cells
    }
  });

  it("matches it on quoted CSV, bad lines skipped, labels by data.positive and data.labelThreshold", async () => {
    const quoted = varied(",", "\n", true).replace(/\n0,a,b/g, '\n0,"a,b","x""y"');
    const file = write("quoted.csv", quoted);
    const { bad } = await expectSame(file, csv({ skipBadLines: true }), FEATURES);
    expect(bad.skipped).toBeGreaterThanOrEqual(4);
    await expectSame(file, csv({ skipBadLines: true, labelThreshold: 1 }), FEATURES);
    await expectSame(file, csv({ skipBadLines: true, positive: ["1"] }), FEATURES);
    await expectSame(file, csv({ skipBadLines: true }), FEATURES, true);
  });

  it("matches it on invalid UTF-8, a chunk size that splits lines, .gz, headerless files, and a label-less read", async () => {
    const text = Buffer.from(varied("\t", "\n", false));
    const invalid = Buffer.concat([text, Buffer.from("1\t\xff\xfe\t\xc3\t1\t2\t3\ta\n", "latin1")]);
    const file = write("invalid.tsv", invalid);
    await expectSame(file, tsv({ chunkSize: 37 }), FEATURES);
    await expectSame(write("varied.tsv.gz", gzipSync(invalid)), tsv(), FEATURES);
    const headerless = write("headerless.tsv", text.subarray(text.indexOf(10) + 1));
    await expectSame(headerless, tsv({ header: false, columns: COLUMNS }), FEATURES);
    const noLabel = tsv({ label: null });
    const map = await fit(file, tsv(), FEATURES);
    expect(await encode(file, noLabel, map, true)).toEqual(await encode(file, noLabel, map, false));
  });

  it("matches it across a data set's files, naming each file, with a partition column taken by records", async () => {
    const body = varied(",", "\n", true).split("\n");
    const head = body[0]!;
    write("set/day=1/part-0.csv", [head, ...body.slice(1, 60)].join("\n") + "\n");
    write("set/day=2/part-1.csv", [head, ...body.slice(60)].join("\n") + "\n");
    const { bad } = await expectSame(join(dir, "set"), csv({ skipBadLines: true }), FEATURES);
    expect(bad.first.join("\n")).toContain("part-1.csv:");
    const withDay = [...FEATURES, { name: "day", type: "categorical", minCount: 1 } as FeatureConfig];
    await expectSame(join(dir, "set"), csv({ skipBadLines: true, select: withDay.map((f) => f.name) }), withDay);
  });

  it("throws the record path's error, naming file, line and field", async () => {
    const good = varied("\t", "\n", false);
    const map = await fit(write("good.tsv", good), tsv(), FEATURES);
    for (const [name, line, field] of [["abc", "1\ta\tb\tabc\t1\t1\ta", "num"], ["short", "0\ta", "hash"], ["label", "3\ta\tb\t1\t1\t1\ta", "click"], ["decimal", "1\ta\tb\t1\t1.5\t1\ta", "cnt"]]) {
      const file = write(`bad-${name}.tsv`, good + line + "\n" + good.split("\n").slice(1).join("\n"));
      const expected = await errorOf(file, tsv(), map, false);
      if (name === "decimal") {
        expect(expected).toBeNull(); // 1.5 is a number: the byte path makes it a string, and it encodes
        continue;
      }
      expect(expected).toMatch(new RegExp(`bad-${name}\\.tsv:${good.split("\n").length}: field '${field}'`));
      expect(await errorOf(file, tsv(), map, true)).toBe(expected);
    }
    // Where a chunk holds two bad lines, the record path parses the chunk before encoding it (so a line too
    // short comes first); the byte path reads line by line and names the first bad line.
    const two = write("bad-two.tsv", varied("\t", "\n", true));
    expect(await errorOf(two, tsv(), map, true)).toMatch(/bad-two\.tsv:\d+: field 'num': expected a finite number, got "abc"/);
  });

  it("takes the byte path for plain lines: the string parser sees only the first line and the ones it refuses", async () => {
    const file = write("plain.tsv", varied("\t", "\n", false).replace(/[^\x00-\x7f]+/gu, "u"));
    const map = await fit(file, tsv(), FEATURES);
    const parse = vi.spyOn(DelimitedReader.prototype as unknown as { parse: () => unknown }, "parse");
    await encode(file, tsv(), map, true);
    // The header is read by start(); lines of only delimiters are blank; sequence and decimal cells are made
    // strings by the byte path itself, so no data line needs the string parser.
    expect(parse).not.toHaveBeenCalled();
  });

  it("is the record path on the Criteo sample", async () => {
    const ints = Array.from({ length: 13 }, (_, k) => `I${k + 1}`);
    const cats = Array.from({ length: 26 }, (_, k) => `C${k + 1}`);
    const features: FeatureConfig[] = [
      ...ints.map((name): FeatureConfig => ({ name, type: "numeric", transform: "log-square", minCount: 2 })),
      ...cats.map((name): FeatureConfig => ({ name, type: "categorical", minCount: 2 })),
    ];
    const file = join(DATA, "criteo-sample/criteo_wideresdnn_dev.tsv");
    expect(readFileSync(file).length).toBeGreaterThan(0);
    const { n } = await expectSame(file, { format: "tsv", header: false, columns: ["label", ...ints, ...cats], label: "label", select: [...ints, ...cats] }, features);
    expect(n).toBeGreaterThan(100);
  });

  it("hashes, looks up and parses bytes as the string encoder does", () => {
    const enc = (s: string) => Buffer.from(s, "utf8");
    for (const s of ["", "a", "68fd1e64", "é", "日本😀"]) expect(hash32Bytes(enc(s), 0, enc(s).length)).toBe(hash32(s));
    const vocab = new ByteVocabulary(["a", "b", "é", "ab", "a"]);
    const at = (s: string) => vocab.lookup(enc(s), 0, enc(s).length, hash32Bytes(enc(s), 0, enc(s).length));
    expect([at("a"), at("b"), at("ab"), at("c"), at("")]).toEqual([5, 2, 4, 0, 0]);
    for (const s of ["0", "-0", "+3", "007", "123456789012345", "-12"]) expect(Object.is(parseIntegerBytes(enc(s), 0, s.length), Number(s))).toBe(true);
    for (const s of ["", "-", "+", "1.5", "1e3", " 5", "0x10", "1234567890123456"]) expect(parseIntegerBytes(enc(s), 0, s.length)).toBeNaN();
  });
});
