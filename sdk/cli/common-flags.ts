import type { FlagSpec } from "./command-spec";
import { BACKEND_ORDER } from "../backend";
import { DEFAULT_PORT } from "../serve/serve";
import { DEFAULT_CANARY_SHARE } from "./canary-flags";

/** Flags that several commands share, described once. */

export const JSON_FLAG: FlagSpec = { type: "boolean", description: "print exactly one JSON object on stdout (progress stays on stderr)" };

export const BACKEND_FLAG: FlagSpec = {
  type: "string",
  valueName: "NAME",
  description: "the TensorFlow.js backend to train on, instead of the best one available",
  values: BACKEND_ORDER,
};

export const SKIP_BAD_LINES_FLAG: FlagSpec = { type: "boolean", description: "count and skip malformed data lines instead of stopping at the first" };

export const PORT_FLAG: FlagSpec = { type: "string", valueName: "N", description: "port of the worker on 127.0.0.1", default: String(DEFAULT_PORT) };

export const HTTP_CHECK_PORT_FLAG: FlagSpec = { type: "string", valueName: "N", description: "port of the HTTP self-check under wrangler dev", default: "a free ephemeral port" };

export const NO_HTTP_CHECK_FLAG: FlagSpec = { type: "boolean", description: "skip the end-to-end check of the exported student through wrangler dev" };

export const CONFIG_FLAG: FlagSpec = { type: "string", valueName: "FILE", description: "the run configuration (JSON or YAML; see docs/config.md)", required: true };

export const OVERWRITE_FLAG: FlagSpec = { type: "boolean", description: "replace an existing ctr-distill run in --out (anything else there is never touched)" };

export const RESUME_FLAG: FlagSpec = { type: "boolean", description: "continue an interrupted run in --out with the same config, reusing its finished teachers" };

export const RUN_OUT_FLAG: FlagSpec = { type: "string", valueName: "DIR", description: "the run directory to create", required: true };

/** A second student for the worker (`serve`, `deploy`): worker/split.ts. */
export const CANARY_FLAGS = {
  canary: { type: "string", valueName: "DIR", description: "a second run directory, the canary (or the B of an A/B test), that scores --canary-share of the requests, split by the request's key" },
  "canary-share": { type: "string", valueName: "F", description: "the canary's share of the requests, 0 to 1 (requires --canary)", default: String(DEFAULT_CANARY_SHARE) },
} satisfies Record<string, FlagSpec>;

/** The flags of the commands that read a config's data and train into a new run directory (`run`, `train`). */
/** `--budget` of run and distill: student.budgetBytes (DESIGN.md "Student size"). */
export const STUDENT_BUDGET_FLAG = {
  type: "string",
  valueName: "BYTES",
  description: "the gzip size student.wasm must fit: the student's embedding is sized to it before training (config student.budgetBytes)",
} satisfies FlagSpec;

export const TRAINING_FLAGS = {
  config: CONFIG_FLAG,
  out: RUN_OUT_FLAG,
  json: JSON_FLAG,
  backend: BACKEND_FLAG,
  "skip-bad-lines": SKIP_BAD_LINES_FLAG,
  overwrite: OVERWRITE_FLAG,
  resume: RESUME_FLAG,
} satisfies Record<string, FlagSpec>;
