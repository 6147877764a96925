import type { EncodedRows, RowEncoder } from "../runtime/encode";
import type { RowTarget } from "./byte-encode";
import type { DatasetInfo, RecordEncoder } from "./dataset";
import type { RawRecord } from "./readers/types";
import type { SplitName } from "./column-split";

/** Which split a row goes to: null for none (it is left out), "bad" for a row already reported as bad. */
export type RowSplit = SplitName | null | "bad";

/**
 * The train data's rows, each sent to the builder of its split, for prepareData's encoding pass. A record
 * (`add`) is routed by `byRecord`; a row the byte path encodes in place (`next`/`commit`) by `byPosition`,
 * from its file and line alone, before its cells are encoded, so it is written straight into its split's
 * buffers. `byPosition` is null when the split needs the cells (a split by a column, whose rows then come
 * as records: the column makes `select` wider than the features).
 */
export class SplitRouter implements RowTarget {
  /** Rows in no split (left out). */
  unsplit = 0;
  private target: RecordEncoder<DatasetInfo> | null = null;
  /** Where a row of no split is written, and dropped. */
  private readonly scratch: EncodedRows;

  constructor(
    readonly encoder: RowEncoder,
    private readonly builders: Readonly<Record<SplitName, RecordEncoder<DatasetInfo>>>,
    private readonly byRecord: (record: RawRecord) => RowSplit,
    private readonly byPosition: ((file: string | undefined, line: number) => SplitName | null) | null,
  ) {
    this.scratch = { ids: new Int32Array(encoder.numSlots), values: new Float32Array(encoder.numSlots), n: 1 };
  }

  get hasScores(): boolean {
    return this.builders.train.hasScores;
  }

  next(line: number, file: string | undefined): { out: EncodedRows; row: number } {
    if (this.byPosition === null) throw new Error("SplitRouter.next: this split needs each row's cells; rows must come as records");
    const part = this.byPosition(file, line);
    this.target = part === null ? null : this.builders[part];
    return this.target === null ? { out: this.scratch, row: 0 } : this.target.next();
  }

  commit(label: number, line: number): void {
    if (this.target === null) this.unsplit++;
    else this.target.commit(label, line);
  }

  add(record: RawRecord): void {
    const part = this.byRecord(record);
    if (part === null) this.unsplit++;
    else if (part !== "bad") this.builders[part].add(record);
  }
}
