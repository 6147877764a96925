import { type SchemaOptions, type TUnsafe, Type } from "@sinclair/typebox";
import { GATE_DEFAULTS } from "../distill/gate";

/**
 * The run configuration's one reference (DESIGN.md "Run configuration"): every key with its type, default and
 * meaning. The validator (parse.ts) walks it, the TypeScript types (config-types.ts) are inferred from it, and
 * `npm run gen:config-docs` renders schema/config.schema.json and docs/config.md from it. The schemas are
 * TypeBox's, i.e. JSON Schema, with the few keywords of `ReferenceKeywords` on top.
 */

/** Keywords of ours, read by the validator and the doc generator; the shipped JSON Schema drops them. */
export interface ReferenceKeywords {
  /** What an error says was expected, where the type alone would not say enough. */
  expected?: string;
  /** A default that depends on other keys, in words (parse.ts fills it in). */
  defaultText?: string;
  /** A file path: a relative one resolves from the config file's folder. */
  path?: true;
  /** Only for features of these types; refused on the others. */
  appliesTo?: readonly FeatureType[];
}
export const REFERENCE_KEYWORDS: readonly (keyof ReferenceKeywords)[] = ["expected", "defaultText", "path", "appliesTo"];

type Options = SchemaOptions & ReferenceKeywords;

/** A string that is one of `values`, typed as their union. */
function oneOf<const V extends readonly string[]>(values: V, options: Options): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: "string", enum: [...values], ...options });
}

function integerAtLeast(minimum: number, options: Options) {
  return Type.Integer({ minimum, ...options });
}

/** Non-empty column names (`data.columns`, flag columns, logged-score columns). */
function columnNames(options: Options) {
  return Type.Array(Type.String({ minLength: 1 }), { minItems: 1, expected: "a non-empty array of column names", ...options });
}

function layerSizes(options: Options) {
  return Type.Array(Type.Integer({ minimum: 1 }), { expected: "an array of positive integers", ...options });
}

function path(options: Options) {
  return Type.String({ path: true, ...options });
}

/** A data set's files: a file, a folder or a glob, or a list of these. */
function dataPaths(options: Options) {
  return Type.Union([path({}), Type.Array(path({}), { minItems: 1 })], { expected: "a file, folder or glob path, or a non-empty array of them", ...options });
}

export const FEATURE_TYPES = ["categorical", "hashed", "numeric", "quantile", "sequence"] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

/** A sequence feature's defaults: items split by "|" (MovieLens' genres), the last 8 kept. */
export const DEFAULT_SEPARATOR = "|";
export const DEFAULT_MAX_LENGTH = 8;

export const FEATURE = Type.Object(
  {
    name: Type.String({ minLength: 1, description: "The field's name in the feature map and in scoring requests; also its column unless `column` says otherwise." }),
    type: oneOf(FEATURE_TYPES, {
      default: "categorical",
      description:
        "categorical: a vocabulary; hashed: hash buckets; numeric: one scaled value; quantile: buckets by train quantiles; sequence: a multi-valued categorical (items split by `separator`), pooled.",
    }),
    column: Type.Optional(Type.String({ minLength: 1, description: "The column in the file when it differs from `name`: a header name, or a 0-based index as a string." })),
    minCount: Type.Optional(
      integerAtLeast(1, { appliesTo: ["categorical", "numeric", "sequence"], description: "Vocabularies (categorical, sequence, numeric log-square) keep values seen at least this often in train; rarer ones share the out-of-vocabulary row. Default 1." }),
    ),
    buckets: Type.Optional(integerAtLeast(1, { appliesTo: ["hashed", "sequence"], description: "hashed: the number of hash buckets (required); sequence: hash the items into this many buckets instead of a vocabulary." })),
    transform: Type.Optional(
      oneOf(["none", "standard", "minmax", "log-square"] as const, {
        appliesTo: ["numeric"],
        default: "none",
        description: "How a numeric value is scaled: none, standard (z-score), minmax, or log-square (Criteo's: floor(ln(x)²) for x > 2, which becomes a vocabulary).",
      }),
    ),
    quantiles: Type.Optional(integerAtLeast(2, { appliesTo: ["quantile"], default: 10, description: "The number of quantile buckets." })),
    separator: Type.Optional(Type.String({ minLength: 1, appliesTo: ["sequence"], default: DEFAULT_SEPARATOR, description: "The item separator within a cell." })),
    maxLength: Type.Optional(integerAtLeast(1, { appliesTo: ["sequence"], default: DEFAULT_MAX_LENGTH, description: "Items kept per row: the last ones." })),
    pooling: Type.Optional(oneOf(["mean", "sum"] as const, { appliesTo: ["sequence"], default: "mean", description: "How the items' embeddings are pooled: mean (FuxiCTR's masked average) or sum." })),
    flags: Type.Optional(
      columnNames({
        appliesTo: ["sequence"],
        description: "Build the sequence from 0/1 flag columns instead of one column: its items are the names of the set flags (MovieLens' 19 genre columns become one `genres` sequence). Scoring requests send the items themselves.",
      }),
    ),
  },
  { additionalProperties: false, description: "How one raw column becomes a field of the feature map." },
);

export const SYNTHETIC = Type.Object(
  {
    seed: integerAtLeast(0, { default: 2020, description: "Seed of the generator." }),
    rows: Type.Object(
      {
        train: integerAtLeast(2, { description: "Rows of the train split." }),
        valid: integerAtLeast(2, { description: "Rows of the validation split." }),
        test: integerAtLeast(2, { description: "Rows of the test split." }),
      },
      { additionalProperties: false, description: "Rows per split." },
    ),
    fields: integerAtLeast(2, { default: 10, description: "The number of categorical fields (C1..Cn)." }),
    vocabSize: integerAtLeast(2, { default: 100, description: "The vocabulary size of every field." }),
    interactions: integerAtLeast(0, { default: 8, description: "The number of planted interactions." }),
    order: Type.Optional(integerAtLeast(2, { description: "Fields per planted interaction: 2 (pairwise, the default) or more." })),
    noise: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 0.5, description: "Label noise: each label is flipped with this probability (default 0); the reported Bayes-optimal figures include it." })),
    zipf: Type.Number({ minimum: 0, default: 1.1, description: "Zipf exponent of value popularity (0 = uniform)." }),
    ctr: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2, description: "The mean click rate (sets the bias of the click function)." }),
  },
  { additionalProperties: false, description: "A seeded synthetic click log with planted feature interactions, whose Bayes-optimal AUC is known (sdk/data/synthetic.ts)." },
);

export const TEACHER_SCORES = Type.Object(
  {
    columns: columnNames({ description: "One column per teacher; reports name the teacher after its column." }),
    kind: oneOf(["logit", "probability"] as const, { default: "logit", description: "How the columns are written: raw logits, or click probabilities (turned into logits, clipped at 1e-7)." }),
  },
  { additionalProperties: false, description: "Logged scores of teachers trained elsewhere: columns of the data files, distilled without running those teachers." },
);

export const LOOKUP = Type.Object(
  {
    file: path({ description: "The side table: a csv/tsv file, held in memory (profiles, not logs)." }),
    key: Type.String({ minLength: 1, description: "The table's key column." }),
    on: Type.String({ minLength: 1, defaultText: "the same as `key`", description: "The data column matched against `key`." }),
    columns: Type.Optional(columnNames({ description: "Column names of a headerless table, in order; without them its first line is the header." })),
    delimiter: Type.String({ minLength: 1, default: ",", description: "The table's cell delimiter." }),
  },
  { additionalProperties: false, description: "A side table joined to every row by a key; its columns become feature columns. A row whose key is not in the table gets missing values." },
);

const DATA_FORMATS = ["csv", "tsv", "libsvm", "parquet"] as const;

/** A value of a split column, matched against a cell's text (a number as JSON writes it). */
const SPLIT_VALUE = Type.Union([Type.String(), Type.Number()]);

export const SPLIT_RANGE = Type.Object(
  {
    from: Type.Optional(Type.Union([Type.String(), Type.Number()], { expected: "a number or a string", description: "The lowest value in the range (included)." })),
    to: Type.Optional(Type.Union([Type.String(), Type.Number()], { expected: "a number or a string", description: "The value the range stops before (excluded)." })),
  },
  {
    additionalProperties: false,
    description:
      "A range of the split column's values, for any of `train`, `valid` and `test`: `from` ≤ value < `to`, either end left out for no bound. Numbers compare as numbers (a timestamp), strings as text (so ISO dates and times compare in time order).",
  },
);

/** The rows of one split: the column's values, or a range of them. */
function splitPart(description: string) {
  return Type.Optional(Type.Union([Type.Array(SPLIT_VALUE, { minItems: 1 }), SPLIT_RANGE], { expected: "a non-empty array of values, or a range { from, to }", description }));
}

export const COLUMN_SPLIT = Type.Object(
  {
    by: Type.String({ minLength: 1, description: "The column whose value puts a row in a split: a day, an hour, a timestamp (a header name, a 0-based index as a string, or a `key=value` folder's key)." }),
    train: splitPart("The train rows' values or range. Default: every row in neither `valid` nor `test`."),
    valid: splitPart("The validation rows' values or range (unless `data.valid` has its own files)."),
    test: splitPart("The test rows' values or range (unless `data.test` has its own files)."),
  },
  {
    additionalProperties: false,
    description:
      'A split by the values or ranges of a column, as CTR evaluations split by time (train on earlier days, test on a later one): `{ "by": "day", "valid": ["2014-10-20"], "test": ["2014-10-21"] }`. With `train` given, rows in no split are left out.',
  },
);

const SPLIT_FRACTIONS = Type.Unsafe<[number, number, number]>({ type: "array", items: { type: "number", minimum: 0 }, minItems: 3, maxItems: 3 });

export const DATA = Type.Object(
  {
    train: Type.Optional(
      dataPaths({
        description:
          "The training data: a file, a folder (its data files and subfolders, in name order; names starting with `_` or `.` skipped, as Spark's `_SUCCESS`), a glob (`*` and `?` within path segments), or a list of these. `.gz` and `.zst` files are decompressed. The files share one header; `key=value` folders (Hive-style partitions) give a column `key`. Required unless `synthetic` is given.",
      }),
    ),
    valid: Type.Optional(dataPaths({ description: "The validation data (early stopping, the gate), as `train` takes it. Required unless `split` or `synthetic` is given." })),
    test: Type.Optional(dataPaths({ description: "The test data (the reported metrics), as `train` takes it. Required unless `split` or `synthetic` is given." })),
    split: Type.Optional(
      Type.Union([SPLIT_FRACTIONS, COLUMN_SPLIT], {
        expected: "three fractions summing to 1, or a split by a column { by, valid, test }",
        description:
          "How the splits without files of their own are drawn from `train`: fractions [train, valid, test], per row by `training.seed`, or by the values or ranges of a column (see `data.split`).",
      }),
    ),
    format: oneOf(DATA_FORMATS, { default: "csv", description: "The files' format." }),
    delimiter: Type.String({ minLength: 1, defaultText: '"," (tab for tsv)', description: "The cell delimiter of csv/tsv (libsvm: the token separator)." }),
    header: Type.Boolean({ defaultText: "true for csv, else false", description: "Whether the first line of a csv/tsv file is a header. With `columns` too, each file's first line is a header exactly when it equals `columns`." }),
    label: Type.String({ minLength: 1, default: "label", description: "The label column: a header name, or a 0-based index as a string. Its values are 0/1 unless `labelThreshold` or `positive` says otherwise." }),
    labelThreshold: Type.Optional(Type.Number({ description: "Binarise a numeric label: 1 when the value is ≥ this (MovieLens: rating ≥ 4), else 0." })),
    positive: Type.Optional(
      Type.Array(Type.String(), { minItems: 1, expected: "a non-empty array of label values", description: 'Label values that mean a click (e.g. ["yes", "click"]): these are 1, every other value 0.' }),
    ),
    columns: Type.Optional(columnNames({ description: "Column names of headerless csv/tsv files, in file order (libsvm: f1..fK by default)." })),
    features: Type.Array(FEATURE, {
      minItems: 1,
      expected: "a non-empty array of features",
      defaultText: "with `synthetic`: its fields C1..Cn, categorical",
      description: "The model's fields, in order.",
    }),
    synthetic: Type.Optional(SYNTHETIC),
    teacherScores: Type.Optional(TEACHER_SCORES),
    lookups: Type.Optional(Type.Array(LOOKUP, { expected: "an array of side tables", description: "Side tables (user or item profiles) joined by key." })),
    cache: Type.Optional(
      oneOf(["memory", "disk"] as const, {
        default: "memory",
        description: "Where the train split's encoded rows are kept: memory, or disk for data larger than memory (temporary files read back in shuffled blocks each epoch).",
      }),
    ),
  },
  { additionalProperties: false, description: "Where the click logs are and how their columns become features." },
);

export const TEACHER = Type.Object(
  {
    model: Type.String({ minLength: 1, description: "The model, as the field names it (`ctr-distill models` lists them). Its hyperparameters sit beside `model`; see the table of teachers below." }),
  },
  { additionalProperties: true, description: "One teacher: a model name and any of its hyperparameters." },
);

const COMPACT_KINDS = ["full", "prune", "hash", "qr"] as const;

/** The keys of a compact embedding kind, shared by `student.embedding` and its per-field overrides. */
function compactKind(kindDefault: Options) {
  return {
    kind: oneOf(COMPACT_KINDS, {
      ...kindDefault,
      description:
        "full: a row per id of the feature map; prune: the `keep` most frequent values of a field keep their row, the rest share one (hashed fields, with no frequency order, are hashed into as many rows); hash: the field's ids are hashed into `buckets` rows; qr: quotient–remainder (Shi et al., KDD 2020), each id's vector the element-wise product of a remainder row (index mod `buckets`) and a quotient row (index div `buckets`), `buckets` + ⌈ids / buckets⌉ rows, every id distinct (`buckets` ≈ √ids shrinks most). Numeric and quantile fields are kept whole by prune.",
    }),
    keep: Type.Optional(integerAtLeast(1, { description: "prune: the values per field that keep a row of their own (the field then has keep + 2 rows: missing, the kept values, and one shared by the rest)." })),
    buckets: Type.Optional(integerAtLeast(1, { description: "hash: the rows per field; its ids go to fmix32(index within the field) mod buckets. qr: the remainder rows per field." })),
  };
}

export const STUDENT_EMBEDDING_FIELD = Type.Object(
  {
    name: Type.String({ minLength: 1, description: "The feature this override is for." }),
    ...compactKind({}),
  },
  { additionalProperties: false, description: "One field's compact embedding, in place of the student-wide one." },
);

export const STUDENT_EMBEDDING = Type.Object(
  {
    ...compactKind({ default: "full" }),
    fields: Type.Optional(Type.Array(STUDENT_EMBEDDING_FIELD, { expected: "an array of per-field overrides", description: "Per-field overrides, by feature name." })),
  },
  {
    additionalProperties: false,
    description:
      "The student's own, smaller embedding tables (the teachers keep the feature map's): each field's ids are mapped to rows of the student's table, identically in training, student.wasm, student.onnx and the JS scorer. A field that a kind would not shrink keeps its ids.",
  },
);

export const STUDENT = Type.Object(
  {
    embeddingDim: integerAtLeast(1, { default: 8, description: "The student's embedding width." }),
    hiddenUnits: layerSizes({ default: [256, 128], description: "The student's MLP layer widths." }),
    embedding: Type.Optional(STUDENT_EMBEDDING),
    budgetBytes: Type.Optional(
      integerAtLeast(1, {
        description:
          "The gzip size student.wasm must fit (Workers: 3,000,000 free, 10,000,000 paid). Before training, the largest `student.embedding` keep (prune, the default) or buckets (hash) whose student.wasm fits is chosen from the exact size formula; a budget no student reaches is refused, naming the smallest reachable size. model.json records the predicted and actual sizes.",
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: "The compact DNN that is distilled and compiled to student.wasm." },
);

export const GATE = Type.Object(
  {
    input: oneOf(["embedding", "logits", "embedding+logits"] as const, {
      default: GATE_DEFAULTS.input,
      description: "What the gate sees: a fresh embedding of the sample's ids (its own table), the teachers' logits (the paper's gate reads the teachers' outputs), or both.",
    }),
    data: oneOf(["train", "valid"] as const, { default: GATE_DEFAULTS.data, description: "Rows the gate is fitted on: train (stopped on valid), or halves of valid (fitted on one, stopped on the other)." }),
    embeddingDim: integerAtLeast(1, { default: GATE_DEFAULTS.embeddingDim, description: "The gate's own embedding width." }),
    hiddenUnits: layerSizes({ default: GATE_DEFAULTS.hiddenUnits, description: "The gate's MLP layer widths." }),
    learningRate: Type.Number({ exclusiveMinimum: 0, default: GATE_DEFAULTS.learningRate, description: "The gate's learning rate: it sees few rows, so it takes larger steps." }),
  },
  { additionalProperties: false, default: {}, description: 'The teacher gate of `ensemble: "gating"`: a small network giving, per sample, a softmax over the teachers.' },
);

export const DISTILL = Type.Object(
  {
    ensemble: oneOf(["best", "mean", "weighted", "gating"] as const, {
      default: "gating",
      description: "The teacher the student learns from: the best single teacher, the mean of the teachers' logits, learned weights, or the per-sample gate.",
    }),
    ensembleTarget: oneOf(["logit", "probability"] as const, {
      default: "logit",
      description:
        "How the ensemble mixes its teachers: logit, Σ w·z (a weighted mean of logits); probability, T·logit(Σ w·σ(z/T)) (the mixture of tempered probabilities that a weighted sum of per-teacher KD losses implies).",
    }),
    alpha: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: "α of L = α·BCE(y, σ(z_s)) + (1 − α)·KD." }),
    temperature: Type.Number({ exclusiveMinimum: 0, default: 1, description: "The KD temperature T." }),
    kdLoss: oneOf(["soft", "mse"] as const, { default: "soft", description: "soft: T²·BCE(σ(z_t/T), σ(z_s/T)); mse: the squared error between logits." }),
    hint: Type.Boolean({ default: false, description: "Add hint regularisation: β·mean‖v_t − W·v_s‖² between a teacher's and the student's hidden layers." }),
    hintWeight: Type.Number({ minimum: 0, default: 0.1, description: "β of the hint term (with `hint`)." }),
    earlyStop: oneOf(["auc", "kd-loss"] as const, { default: "kd-loss", description: "The student's stopping signal: validation AUC, or the KD loss on validation data (the paper's)." }),
    validKdFraction: Type.Number({
      minimum: 0,
      exclusiveMaximum: 1,
      default: 0,
      description:
        "The share of the validation rows the student also learns from, with no BCE on their labels (never read): (1 − α)·KD against the frozen teachers' logits, and the hint term with `hint`. Drawn by `training.seed` in the order that halves valid for the gate; early stopping reads only the other rows. 0: the student trains on train alone. Not with `data.cache: \"disk\"` or joint training.",
    }),
    teacherTraining: oneOf(["pretrained", "joint"] as const, { default: "pretrained", description: "pretrained: teachers trained first, then frozen; joint: teachers and student in one loop." }),
    gate: GATE,
  },
  { additionalProperties: false, default: {}, description: "How the teachers are combined and distilled." },
);

export const TRAINING = Type.Object(
  {
    batchSize: integerAtLeast(1, { default: 1024, description: "Rows per gradient step." }),
    epochs: integerAtLeast(1, { default: 10, description: "The most epochs of any model (early stopping may end sooner)." }),
    learningRate: Type.Number({ exclusiveMinimum: 0, default: 1e-3, description: "The optimiser's learning rate." }),
    seed: integerAtLeast(0, { default: 2020, description: "Seeds initialisation, shuffling and `data.split`." }),
    patience: integerAtLeast(1, { default: 2, description: "Epochs without improvement before early stopping." }),
    optimizer: oneOf(["adam", "adagrad"] as const, { default: "adam", description: "Adam or Adagrad, for dense parameters and embedding rows alike (see `embeddingUpdate`)." }),
    adamVariant: oneOf(["pytorch", "keras"] as const, {
      default: "pytorch",
      description:
        "Where Adam adds ε. pytorch: to the bias-corrected √v̂, ε = 1e-8, as PyTorch and FuxiCTR (whose numbers the models are checked against). keras: to the uncorrected √v, ε = 1e-7, an effective ε 10–300× larger early on and for rarely updated embedding rows, which stalls models whose gradients pass through products of small embeddings (NFM, FiBiNET).",
    }),
    embeddingUpdate: oneOf(["dense", "lazy"] as const, {
      default: "dense",
      description:
        "Which embedding rows a step updates. dense: every row, as torch.optim.Adam over FuxiCTR's tables and TF's Adam do (momentum keeps moving rows the batch missed, L2 decays them all; cost O(vocabulary) per step). lazy: only the rows its batch touched, each bias-corrected by its own step count, as TF's LazyAdam (cost O(batch); for vocabularies of millions, where dense steps dominate).",
    }),
  },
  { additionalProperties: false, default: {}, description: "Training of the teachers and the student." },
);

export const RUN_CONFIG = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: "The JSON Schema for editors (schema/config.schema.json in the package); ignored by the validator." })),
    description: Type.Optional(Type.String({ description: "Free text on what the configuration is for." })),
    data: DATA,
    teachers: Type.Array(TEACHER, {
      expected: "a non-empty array of teachers (or data.teacherScores)",
      defaultText: "none: required unless `data.teacherScores` is given",
      description: "The teacher models, trained here (or only `data.teacherScores`).",
    }),
    student: STUDENT,
    distill: DISTILL,
    training: TRAINING,
  },
  { additionalProperties: false, title: "ctr-distill run configuration", description: "A run of ctr-distill: data, teachers, student, distillation and training." },
);
