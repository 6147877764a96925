import { CTR_COLUMN, type ScoredBatch } from "./score-file";

/** How scores are written: CSV (bare probabilities without kept columns) or JSON lines. */
export type ScoreOutput = "csv" | "jsonl";
export const SCORE_OUTPUTS: readonly ScoreOutput[] = ["csv", "jsonl"];

/** A CSV cell, quoted (RFC 4180) when it holds a comma, a quote or a line break. */
function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/**
 * The text of scored batches, one string per batch. CSV without kept columns is one probability per line
 * and no header (the contract of `score` before `--keep`); with them, a header of the kept columns then
 * `ctr`. JSON lines carry the kept columns (as strings) and `ctr` in every object.
 */
export async function* formatScores(batches: AsyncIterable<ScoredBatch>, output: ScoreOutput, keep: readonly string[]): AsyncGenerator<string> {
  if (output === "csv" && keep.length > 0) yield [...keep, CTR_COLUMN].map(csvCell).join(",") + "\n";
  const keys = keep.map((k) => JSON.stringify(k));
  for await (const { ctr, kept } of batches) {
    let text = "";
    for (let r = 0; r < ctr.length; r++) {
      const p = String(ctr[r]);
      const cells = kept[r]!;
      if (output === "jsonl") text += `{${cells.map((c, k) => `${keys[k]}:${JSON.stringify(c)},`).join("")}"${CTR_COLUMN}":${p}}\n`;
      else text += keep.length > 0 ? `${cells.map(csvCell).join(",")},${p}\n` : `${p}\n`;
    }
    yield text;
  }
}
