import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError, UserError } from "../../sdk/errors";
import { openRecords, splitQuoted, type ReaderOptions } from "../../sdk/data/readers/index";
import { withReadProgress } from "../../sdk/data/read-progress";

const dir = mkdtempSync(join(tmpdir(), "readers-"));
let counter = 0;
function file(text: string, ext = "txt"): string {
  const path = join(dir, `f${counter++}.${ext}`);
  writeFileSync(path, text);
  return path;
}
function read(text: string, options: ReaderOptions) {
  return openRecords(file(text), options).readAll();
}
/** The error a read throws (fails the test when none is thrown). */
async function failure(text: string, options: ReaderOptions): Promise<Error> {
  try {
    await read(text, options);
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the read to fail");
}

const CSV: ReaderOptions = { format: "csv", header: true, label: "click", select: ["b", "a"] };

describe("csv reader", () => {
  it("selects columns by header name, in the requested order, with 1-based line numbers", async () => {
    const recs = await read("click,a,b\n1,x,y\n0,,z\n", CSV);
    expect(recs).toEqual([
      { line: 2, label: 1, cells: ["y", "x"] },
      { line: 3, label: 0, cells: ["z", ""] },
    ]);
  });

  it("unquotes quoted fields with delimiters and doubled quotes inside", async () => {
    const recs = await read('click,a,b\n1,"x,1","say ""hi"""\n', CSV);
    expect(recs[0]!.cells).toEqual(['say "hi"', "x,1"]);
    expect(splitQuoted('"",a,', ",", () => new Error())).toEqual(["", "a", ""]);
  });

  it("accepts CRLF line endings and skips blank lines, keeping physical line numbers", async () => {
    const recs = await read("click,a,b\r\n1,x,y\r\n\r\n0,p,q\r\n", CSV);
    expect(recs.map((r) => [r.line, r.cells])).toEqual([[2, ["y", "x"]], [4, ["q", "p"]]]);
  });

  it("streams in small chunks without breaking lines or multi-byte characters", async () => {
    const text = "click,a,b\n" + Array.from({ length: 50 }, (_, i) => `${i % 2},é${i},ü${i}`).join("\n") + "\n";
    const recs = await openRecords(file(text), { ...CSV, chunkSize: 7 }).readAll();
    expect(recs.length).toBe(50);
    expect(recs[49]).toEqual({ line: 51, label: 1, cells: ["ü49", "é49"] });
  });

  it("uses a configurable delimiter", async () => {
    const recs = await read("click;a;b\n1;x;y\n", { ...CSV, delimiter: ";" });
    expect(recs[0]!.cells).toEqual(["y", "x"]);
  });

  it("with header 'auto' skips a first line equal to columns and reads a file without it from line 1", async () => {
    const opts: ReaderOptions = { ...CSV, header: "auto", columns: ["click", "a", "b"] };
    expect((await read("click,a,b\n1,x,y\n", opts)).map((r) => r.line)).toEqual([2]);
    expect((await read("1,x,y\n0,p,q\n", opts)).map((r) => r.line)).toEqual([1, 2]);
  });

  it("binarises a numeric label with labelThreshold", async () => {
    const recs = await read("click,a,b\n5,x,y\n3,x,y\n4,x,y\n", { ...CSV, labelThreshold: 4 });
    expect(recs.map((r) => r.label)).toEqual([1, 0, 1]);
  });
});

describe("tsv reader", () => {
  it("reads headerless files by `columns` names, cells literally (quotes are not special)", async () => {
    const recs = await read('0\t"q\t5\n1\tr\t\n', { format: "tsv", header: false, columns: ["y", "c", "n"], label: "y", select: ["n", "c"] });
    expect(recs).toEqual([
      { line: 1, label: 0, cells: ["5", '"q'] },
      { line: 2, label: 1, cells: ["", "r"] },
    ]);
  });

  it("reads headerless files by 0-based index strings", async () => {
    const recs = await read("1\ta\tb\n", { format: "tsv", header: false, label: "0", select: ["2", "1"] });
    expect(recs[0]!.cells).toEqual(["b", "a"]);
  });
});

describe("libsvm reader", () => {
  const LIBSVM: ReaderOptions = { format: "libsvm", label: "label", select: ["f1", "f2", "f3"] };

  it("exposes the k-th index:value pair as field fk whose value is the index; -1 maps to 0", async () => {
    const recs = await read("1 3:1 10:1 20:1\n-1 4:1 11:1 21:1\n+1 5:1 12:1 22:1\n0 6:1 13:1 23:1\n", LIBSVM);
    expect(recs.map((r) => r.label)).toEqual([1, 0, 1, 0]);
    expect(recs[1]).toEqual({ line: 2, label: 0, cells: ["4", "11", "21"] });
  });

  it("selects fields by name or 0-based index, and accepts CRLF and a trailing space", async () => {
    const recs = await read("1 3:1 10:1 20:1 \r\n", { ...LIBSVM, select: ["f3", "0"] });
    expect(recs[0]!.cells).toEqual(["20", "3"]);
  });
});

describe("reader errors", () => {
  const TSV: ReaderOptions = { format: "tsv", header: false, columns: ["y", "c", "n"], label: "y", select: ["c", "n"] };
  const LIBSVM: ReaderOptions = { format: "libsvm", label: "label", select: ["f1", "f2"] };

  it("a line with too few cells is a DataError naming file, line and the first missing field", async () => {
    const path = file("1\ta\tb\n0\ta\n");
    const err = await openRecords(path, TSV).readAll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err).toMatchObject({ file: path, line: 2, field: "n" });
    expect((err as Error).message).toBe(`${path}:2: field 'n': has 2 cells, expected 3`);
  });

  it("a line with too many cells is a DataError naming file and line", async () => {
    expect(await failure("1\ta\tb\n0\ta\tb\tc\n", TSV)).toMatchObject({ line: 2, message: expect.stringMatching(/:2: has 4 cells, expected 3$/) });
  });

  it("a label that is not 0/1 or does not parse names the label field", async () => {
    expect(await failure("2\ta\tb\n", TSV)).toMatchObject({ line: 1, field: "y", reason: "label must be 0 or 1, got 2" });
    expect(await failure("1\ta\tb\nyes\ta\tb\n", TSV)).toMatchObject({ line: 2, field: "y", reason: 'cannot parse label "yes" (text labels are mapped by data.positive, e.g. ["yes"])' });
    expect(await failure("\ta\tb\n", TSV)).toMatchObject({ line: 1, field: "y", reason: "missing label" });
  });

  it("an unterminated CSV quote names the field", async () => {
    expect(await failure('click,a,b\n1,x,"y\n', { ...CSV })).toMatchObject({ line: 2, field: "b", reason: expect.stringMatching(/unterminated quoted field/) });
  });

  it("a bad libsvm token names file, line and field", async () => {
    const err = await failure("1 3:1 4:1\n1 3:1 x4\n", LIBSVM);
    expect(err).toBeInstanceOf(DataError);
    expect(err).toMatchObject({ line: 2, field: "f2", reason: 'bad libsvm token "x4" (expected index:value)' });
    expect(await failure("1 3:1 4:\n", LIBSVM)).toMatchObject({ line: 1, field: "f2" });
  });

  it("a libsvm line with the wrong number of pairs or a bad label is a DataError", async () => {
    expect(await failure("1 3:1 4:1\n0 3:1\n", LIBSVM)).toMatchObject({ line: 2, field: "f2", reason: "has 1 index:value pairs, expected 2" });
    expect(await failure("2 3:1 4:1\n", LIBSVM)).toMatchObject({ line: 1, field: "label", reason: "label must be 1, 0 or -1, got 2" });
    expect(await failure("a 3:1 4:1\n", LIBSVM)).toMatchObject({ line: 1, field: "label", reason: 'cannot parse label "a"' });
  });

  it("a missing file, an empty file and an unknown column are one-line UserErrors, not DataErrors", async () => {
    const missing = (await openRecords(join(dir, "nope.csv"), CSV).readAll().catch((e: unknown) => e)) as Error;
    expect(missing).toBeInstanceOf(UserError);
    expect(missing).not.toBeInstanceOf(DataError);
    expect(missing.message).toMatch(/^data file not found: .*nope\.csv$/);
    expect(await failure("", CSV)).toMatchObject({ message: expect.stringMatching(/^data file is empty: /) });
    expect(await failure("\n\n", CSV)).toMatchObject({ message: expect.stringMatching(/^data file is empty: /) });
    const unknown = await failure("click,a\n1,x\n", CSV);
    expect(unknown).not.toBeInstanceOf(DataError);
    expect(unknown.message).toMatch(/unknown column 'b' \(columns: click, a\)$/);
    expect(unknown.message).not.toContain("\n");
  });

  it("skipBadLines counts and skips bad lines and keeps the first few locations", async () => {
    const lines = ["1\ta\tb"];
    for (let i = 0; i < 8; i++) lines.push("7\ta\tb");
    lines.push("0\tc\td");
    const reader = openRecords(file(lines.join("\n")), { ...TSV, skipBadLines: true });
    const recs = await reader.readAll();
    expect(recs.map((r) => r.line)).toEqual([1, 10]);
    const summary = reader.bad.summary();
    expect(summary.skipped).toBe(8);
    expect(summary.first.length).toBe(5);
    expect(summary.first[0]).toMatch(/:2: field 'y': label must be 0 or 1, got 7$/);
  });
});

describe("read progress", () => {
  it("passes a reader's chunks through unchanged and ends with every byte of the file counted", async () => {
    const text = "click,a,b\n" + Array.from({ length: 5000 }, (_, i) => `${i % 2},x${i},y${i}`).join("\n") + "\n";
    const path = file(text);
    const options: ReaderOptions = { ...CSV, chunkSize: 4096 };
    const plain = await openRecords(path, options).readAll();
    const reader = openRecords(path, options);
    const seen: unknown[] = [];
    let chunks = 0;
    let lastBytes = 0;
    for await (const chunk of withReadProgress(reader, () => {}, "test")) {
      chunks++;
      expect(reader.bytesRead).toBeGreaterThanOrEqual(lastBytes);
      lastBytes = reader.bytesRead;
      seen.push(...chunk);
    }
    expect(seen).toEqual(plain);
    expect(chunks).toBeGreaterThan(10);
    expect(reader.bytesRead).toBe(Buffer.byteLength(text));
  });
});

describe("readers without a label (label: null, for scoring)", () => {
  it("csv: reads rows that have no label column, and ignores one that is present, whatever it holds", async () => {
    const options: ReaderOptions = { format: "csv", header: true, label: null, select: ["b", "a"] };
    expect(await read("a,b\nx,y\n", options)).toEqual([{ line: 2, label: NaN, cells: ["y", "x"] }]);
    expect(await read("click,a,b\nnot-a-label,x,y\n", options)).toEqual([{ line: 2, label: NaN, cells: ["y", "x"] }]);
  });

  it("libsvm: a line's label token is optional and ignored", async () => {
    const options: ReaderOptions = { format: "libsvm", label: null, select: ["f1", "f2"] };
    expect(await read("3:1 9:1\n1 4:1 8:1\n", options)).toEqual([
      { line: 1, label: NaN, cells: ["3", "9"] },
      { line: 2, label: NaN, cells: ["4", "8"] },
    ]);
  });
});
