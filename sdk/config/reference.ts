import type { TSchema } from "@sinclair/typebox";
import { listModels } from "../models/zoo";
import { REFERENCE_KEYWORDS, RUN_CONFIG } from "./schema";
import { describe } from "./walk";

/**
 * Renders the reference in schema.ts as the two files that ship with it: schema/config.schema.json (for
 * editors: `"$schema": "…/config.schema.json"`) and docs/config.md. scripts/gen-config-docs.ts writes them;
 * test/node/config-reference.test.ts fails when they differ from what this renders.
 */

export const SCHEMA_FILE = "schema/config.schema.json";
export const DOCS_FILE = "docs/config.md";

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  additionalProperties?: boolean;
  default?: unknown;
  description?: string;
  defaultText?: string;
  [keyword: string]: unknown;
}

const asNode = (schema: TSchema | Node): Node => schema as Node;

/** A key the user must write: required by the type and with no default, plain or in words. */
function mustGive(parent: Node, key: string): boolean {
  const prop = parent.properties![key]!;
  return parent.required?.includes(key) === true && prop.default === undefined && prop.defaultText === undefined;
}

/** Plain JSON Schema: our keywords dropped, `required` only for keys without a default. */
function plain(n: Node): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(n)) {
    if ((REFERENCE_KEYWORDS as readonly string[]).includes(key)) continue;
    if (key === "properties") out.properties = Object.fromEntries(Object.entries(value as Record<string, Node>).map(([k, v]) => [k, plain(v)]));
    else if (key === "items") out.items = plain(value as Node);
    else if (key === "anyOf") out.anyOf = (value as Node[]).map(plain);
    else if (key === "required") {
      const required = (value as string[]).filter((k) => mustGive(n, k));
      if (required.length > 0) out.required = required;
    } else out[key] = value;
  }
  return out;
}

/** schema/config.schema.json's text. Teachers' `model` offers the registered models' names for completion. */
export function renderJsonSchema(): string {
  const schema = plain(asNode(RUN_CONFIG));
  const model = schema.properties!.teachers!.items!.properties!.model!;
  model.examples = listModels().map((m) => m.name);
  return JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", ...schema }, null, 2) + "\n";
}

/** `|` and line breaks would end a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function defaultOf(n: Node): string {
  if (n.defaultText !== undefined) return n.defaultText;
  if (n.default === undefined || n.type === "object") return "";
  return `\`${JSON.stringify(n.default)}\``;
}

interface Section {
  path: string;
  node: Node;
}

/**
 * The objects of the reference, each a table of its keys: `data`, `data.features[]`, `distill.gate`, … An object
 * among a key's alternatives (`data.split`'s) gets its table too, once where one serves several keys.
 */
function sections(path: string, n: Node, out: Section[] = []): Section[] {
  if (out.some((s) => s.node === n)) return out;
  out.push({ path, node: n });
  for (const [key, prop] of Object.entries(n.properties ?? {})) {
    const at = path === "" ? key : `${path}.${key}`;
    if (prop.type === "object" && prop.properties !== undefined) sections(at, prop, out);
    else if (prop.type === "array" && prop.items?.type === "object") sections(`${at}[]`, prop.items, out);
    for (const alternative of (prop.anyOf as Node[] | undefined) ?? []) if (alternative.type === "object" && alternative.properties !== undefined) sections(at, alternative, out);
  }
  return out;
}

function keyTable({ path, node }: Section): string[] {
  const lines = [`### \`${path === "" ? "(top level)" : path}\``, "", node.description ?? "", "", "| key | type | default | meaning |", "| --- | --- | --- | --- |"];
  for (const [key, prop] of Object.entries(node.properties ?? {})) {
    const at = path === "" ? key : `${path}.${key}`;
    if (prop.description === undefined) throw new Error(`config reference: ${at} has no description`);
    const isSection = (prop.type === "object" && prop.properties !== undefined) || (prop.type === "array" && prop.items?.type === "object");
    const type = isSection ? `${prop.type === "array" ? "an array" : "an object"}: see \`${prop.type === "array" ? `${at}[]` : at}\`` : describe(prop as TSchema);
    const only = Array.isArray(prop.appliesTo) ? ` Only for ${(prop.appliesTo as string[]).join(", ")} features.` : "";
    const def = mustGive(node, key) ? "required" : defaultOf(prop);
    lines.push(`| \`${key}\` | ${cell(type)} | ${cell(def)} | ${cell(prop.description + only)} |`);
  }
  if (node.additionalProperties === true) lines.push("", "Any other key is a hyperparameter of the model: see [Teachers](#teachers).");
  return [...lines, ""];
}

function modelTable(): string[] {
  const lines = ["| model | what it is | hyperparameters (defaults) |", "| --- | --- | --- |"];
  for (const m of listModels()) {
    const hp = Object.entries(m.defaults).map(([k, v]) => `\`${k}\`: \`${JSON.stringify(v)}\``);
    lines.push(`| \`${m.name}\` | ${cell(m.description)} | ${cell(hp.join(", "))} |`);
  }
  return lines;
}

/** The docs' examples (the reference test parses them). */
export const EXAMPLE_JSON = `{
  "$schema": "./node_modules/ctr-distill/schema/config.schema.json",
  "data": {
    "train": "data/train.csv", "valid": "data/valid.csv", "test": "data/test.csv",
    "format": "csv", "label": "click",
    "features": [
      { "name": "C1", "type": "categorical", "minCount": 2 },
      { "name": "I1", "type": "numeric", "transform": "log-square" }
    ]
  },
  "teachers": [ { "model": "DeepFM", "embeddingDim": 16, "hiddenUnits": [400, 400, 400] }, { "model": "DCN" } ],
  "student":  { "embeddingDim": 8, "hiddenUnits": [256, 128] },
  "distill":  { "ensemble": "gating", "alpha": 0.5, "temperature": 1 },
  "training": { "batchSize": 1024, "epochs": 10, "learningRate": 0.001, "seed": 2020, "patience": 2 }
}`;

export const EXAMPLE_YAML = `data:
  train: data/train.tsv
  split: [0.8, 0.1, 0.1]
  format: tsv
  header: false
  label: label
  positive: ["yes"]
  columns: [label, user, item, price]
  features:
    - { name: user, type: hashed, buckets: 100000 }
    - { name: item }
    - { name: price, type: quantile, quantiles: 20 }
teachers:
  - model: DNN
  - model: xDeepFM
distill:
  ensemble: mean
training:
  epochs: 5`;

/** docs/config.md's text. */
export function renderDocs(): string {
  const lines = [
    "# The run configuration",
    "",
    "<!-- Generated from sdk/config/schema.ts by `npm run gen:config-docs`; edit the schema, not this file. -->",
    "",
    "A run of ctr-distill (`run`, `train`, `experiment`, or the SDK's `resolveConfig`) is described by one",
    "configuration: a JSON file, or YAML for `.yaml`/`.yml`. It is checked in full before any data is read or",
    "any folder touched: an error names the file, the line and the key",
    "(`my.json:12: config.data.features[2].type: expected one of categorical, hashed, numeric, quantile, sequence, got \"embedding\"`),",
    "an unknown key is refused with the nearest known one (`did you mean 'embeddingDim'?`), and so is an",
    "unknown model or hyperparameter.",
    "",
    "- **Relative paths** (`data.train`, `data.valid`, `data.test`, `data.lookups[].file`) resolve from the",
    "  folder of the config file, not from the current directory; so do the globs and the paths of a list.",
    "- **Many files as one data set:** `data.train`, `valid` and `test` each take a file, a folder (Spark's or",
    "  DuckDB's `part-*` files: every file in it and its subfolders, in name order, skipping `_SUCCESS`, `.crc` and",
    "  any name starting with `_` or `.`), a glob (`logs/day_*.tsv.gz`), or a list of these. `.gz` and `.zst`",
    "  files are decompressed while read. The files must share one header (an error names the first that differs),",
    "  and messages name the part file and its line. A `key=value` folder above a file (`day=2014-10-20/`) gives",
    "  the column `key`.",
    "- **Editor completion:** `\"$schema\": \"./node_modules/ctr-distill/schema/config.schema.json\"` (the path",
    "  from your config to the installed package) gives every key, its type and its meaning.",
    "- **Defaults** fill every key left out; a run stores its configuration with them filled in",
    "  (`config.json`, and `config` in `model.json`), and that stored configuration reads back as it is.",
    "",
    "## Example",
    "",
    "```json",
    EXAMPLE_JSON,
    "```",
    "",
    "The same in YAML, with a split, a headerless TSV and text labels:",
    "",
    "```yaml",
    EXAMPLE_YAML,
    "```",
    "",
    "## Checks across keys",
    "",
    "Beyond each key's type:",
    "",
    "- `data.train` is required unless `data.synthetic` is given; `data.valid` and `data.test` unless `data.split` is.",
    "- `data.split` has three fractions that sum to 1, or splits by a column: then `valid` and `test` each have",
    "  their rows' values or range there or files of their own (not both), no two splits share a value or a part",
    "  of a range, a range has an end and `from` < `to`, and with `data.columns` its column `by` is one of them.",
    "- `data.features` is required unless `data.synthetic` is given (its fields `C1..Cn` then, all categorical).",
    "- Feature names are unique; a `hashed` feature needs `buckets`; a key marked *only for* some feature types is refused on the others.",
    "- **No leakage:** a feature may not read the label column or a column of `data.teacherScores`.",
    "- With `data.columns` (headerless files), the columns that features, the label, logged scores and side tables' `on` read are among them",
    "  (or the side tables' `columns`), or 0-based indices; a near miss gets \"did you mean\". Files with a header are checked the same way when read.",
    "- `data.synthetic`: `order` ≤ `fields`, `interactions` ≤ the number of field tuples, `noise` below `ctr` and 1 − `ctr`.",
    "- `data.positive` and `data.labelThreshold` exclude each other; `positive` does not apply to libsvm (its labels are 1, 0, -1).",
    "- `data.lookups[].key` is one of the table's `columns` when those are given; side tables do not join synthetic data.",
    "- `teachers` is required unless `data.teacherScores` is given; each names a registered model and only its hyperparameters, of their kinds.",
    '- With `distill.teacherTraining: "joint"`: `distill.ensemble` is `mean`, and `distill.hint` and `data.teacherScores` are refused (joint training cannot honour them).',
    "",
    "## Keys",
    "",
    ...sections("", asNode(RUN_CONFIG)).flatMap(keyTable),
    "## Teachers",
    "",
    "`teachers[].model` is one of these (`ctr-distill models` lists them too). A teacher's other keys are",
    "its hyperparameters; any left out keep these defaults.",
    "",
    ...modelTable(),
    "",
  ];
  return lines.join("\n");
}
