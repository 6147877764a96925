import { loadRunDirectory, type LoadedRun } from "../score/load-run";
import { writeFileAside } from "../score/output-file";
import { scoreFile, type ScoreFileOptions, type ScoredBatch } from "../score/score-file";
import { formatScores, type ScoreOutput } from "../score/score-output";
import { RowEncoder } from "../runtime/encode";
import { Scorer } from "../runtime/scorer";
import { loggerOf, type CallOptions } from "./options";

/** Options of `OpenedRun.scoreFile`: how the file is laid out, what to pass through, and the usual call options. */
export interface ScoreFileCallOptions extends ScoreFileOptions, CallOptions {}

/** Options of `OpenedRun.scoreFileTo`: those of `scoreFile`, and how the output file is written. */
export interface ScoreFileToOptions extends ScoreFileCallOptions {
  /** `csv` (default; bare probabilities without `keep`) or `jsonl`. */
  output?: ScoreOutput;
  /** Replace an existing output file. */
  overwrite?: boolean;
}

/** A run directory opened for scoring: its feature map, config and the WASM scorer, checked against each other. */
export interface OpenedRun extends LoadedRun {
  scorer: Scorer;
  /**
   * CTRs of raw rows as the worker takes them (`{ site: "news", price: 12.5, tags: ["a", "b"] }`): missing
   * features take the feature map's default, unknown values the out-of-vocabulary row.
   */
  score(rows: readonly Record<string, unknown>[]): Float32Array;
  /**
   * Scores a data file in streaming chunks (bounded memory): no label column is needed, columns are matched
   * by header name, and the layout is the run's unless `format`/`delimiter`/`header` say otherwise.
   */
  scoreFile(path: string, opts?: ScoreFileCallOptions): AsyncGenerator<ScoredBatch>;
  /** Scores `path` into the file `out` (CSV or JSON lines), written aside and renamed into place when complete. */
  scoreFileTo(path: string, out: string, opts?: ScoreFileToOptions): Promise<{ rows: number; out: string }>;
}

/** Opens a run directory (of `runPipeline`, `exportStudent` or the CLI) for scoring. */
export async function openRun(dir: string): Promise<OpenedRun> {
  const run = await loadRunDirectory(dir);
  const scorer = await Scorer.fromBytes(run.wasm);
  scorer.checkFeatureMap(run.featureMap);
  const encoder = new RowEncoder(run.featureMap, "json");
  const opened: OpenedRun = {
    ...run,
    scorer,
    score(rows) {
      const { ids, values, n } = encoder.encodeObjects(rows);
      return scorer.score(ids, values, n);
    },
    scoreFile(path, opts = {}) {
      return scoreFile(opened, path, opts, loggerOf(opts));
    },
    async scoreFileTo(path, out, opts = {}) {
      let rows = 0;
      async function* counted(): AsyncGenerator<ScoredBatch> {
        for await (const batch of opened.scoreFile(path, opts)) {
          rows += batch.ctr.length;
          yield batch;
        }
      }
      await writeFileAside(out, formatScores(counted(), opts.output ?? "csv", opts.keep ?? []), opts);
      return { rows, out };
    },
  };
  return opened;
}

