import { once } from "node:events";
import { openRun } from "../../api/open-run";
import type { DataFormat } from "../../config-types";
import { UserError } from "../../errors";
import { formatScores, SCORE_OUTPUTS, type ScoreOutput } from "../../score/score-output";
import { booleanFlag, listFlag, oneOfFlag, requiredFlag, stringFlag, type CommandSpec, type ParsedFlags } from "../command-spec";
import { OVERWRITE_FLAG } from "../common-flags";
import { cliLogger } from "../interrupt";

const FORMATS: readonly DataFormat[] = ["csv", "tsv", "libsvm", "parquet"];

/** `--header` / `--no-header` (absent: the run's, or the format's default). */
function headerFlag(spec: CommandSpec, flags: ParsedFlags): { header?: boolean } {
  const yes = booleanFlag(flags, "header");
  const no = booleanFlag(flags, "no-header");
  if (yes && no) throw new UserError(`${spec.name}: give --header or --no-header, not both`);
  return yes ? { header: true } : no ? { header: false } : {};
}

export const scoreCommand: CommandSpec = {
  name: "score",
  summary: "score a file with a run's student.wasm, streaming: one probability per line, in input order",
  description:
    "No label column is needed (one that is present is ignored). With a header, columns are matched by name in any order; " +
    "a header that lacks some of the model's columns is refused, naming them. Without --keep the output is one probability " +
    "per line and no header; with --keep, CSV with a header (the kept columns, then ctr), or JSON lines with --output jsonl. " +
    "Rows/s go to stderr.",
  flags: {
    model: { type: "string", valueName: "DIR", description: "a run directory", required: true },
    data: { type: "string", valueName: "FILE", description: "the rows to score", required: true },
    out: { type: "string", valueName: "FILE", description: "where to write the scores (written aside, renamed into place when complete)", default: "stdout" },
    output: { type: "string", valueName: "KIND", description: "how to write the scores", default: "csv", values: SCORE_OUTPUTS },
    keep: { type: "string", valueName: "COL", description: "a column of the data to pass through beside each score", multiple: true },
    format: { type: "string", valueName: "F", description: "the data's format", default: "the run's data.format", values: FORMATS },
    delimiter: { type: "string", valueName: "D", description: "the cell delimiter of csv/tsv (\\t for a tab)", default: "the run's, or the format's (\",\" or tab)" },
    header: { type: "boolean", description: "the csv/tsv file starts with a header (default: the run's data.header, or true for csv)" },
    "no-header": { type: "boolean", description: "the csv/tsv file has no header: its columns are laid out as the run's training files" },
    overwrite: { ...OVERWRITE_FLAG, description: "replace an existing --out file" },
  },
  examples: ["score --model runs/demo --data rows.csv --out scores.txt", "score --model runs/criteo --data today.csv --format csv --keep id --out scores.csv"],
  async run(flags) {
    const run = await openRun(requiredFlag(this, flags, "model"));
    const data = requiredFlag(this, flags, "data");
    const output = oneOfFlag<ScoreOutput>(this, flags, "output") ?? "csv";
    const format = oneOfFlag<DataFormat>(this, flags, "format");
    const delimiter = stringFlag(flags, "delimiter");
    const keep = listFlag(flags, "keep");
    const opts = {
      ...(format !== undefined ? { format } : {}),
      ...(delimiter !== undefined ? { delimiter: delimiter === "\\t" ? "\t" : delimiter } : {}),
      ...headerFlag(this, flags),
      keep,
      logger: cliLogger,
      signal: cliLogger.signal,
    };
    const out = stringFlag(flags, "out");
    if (out !== undefined) {
      await run.scoreFileTo(data, out, { ...opts, output, overwrite: booleanFlag(flags, "overwrite") });
      return;
    }
    for await (const text of formatScores(run.scoreFile(data, opts), output, keep)) {
      if (!process.stdout.write(text)) await once(process.stdout, "drain");
    }
  },
};
