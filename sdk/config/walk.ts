import { isAbsolute, resolve } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { type ConfigPath, ConfigError, formatPath } from "./config-error";
import type { FeatureType, ReferenceKeywords } from "./schema";
import { didYouMean } from "./suggest";

/** The JSON Schema keywords of the reference that the walker reads, with ours. */
interface Node extends ReferenceKeywords {
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean";
  enum?: readonly string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Node;
  /** Alternatives told apart by the value's JSON type (a path or a list of paths; fractions or an object). */
  anyOf?: readonly Node[];
  properties?: Record<string, Node>;
  required?: readonly string[];
  additionalProperties?: boolean;
}

function node(schema: TSchema | Node): Node {
  return schema as Node;
}

/** A number's range in words: `in [0, 1]`, `> 0`, `≥ 2`, or "" when unbounded. */
function range(n: Node): string {
  const low = n.minimum ?? n.exclusiveMinimum;
  const high = n.maximum ?? n.exclusiveMaximum;
  if (low !== undefined && high !== undefined) return ` in ${n.minimum !== undefined ? "[" : "("}${low}, ${high}${n.maximum !== undefined ? "]" : ")"}`;
  if (low !== undefined) return ` ${n.minimum !== undefined ? "≥" : ">"} ${low}`;
  if (high !== undefined) return ` ${n.maximum !== undefined ? "≤" : "<"} ${high}`;
  return "";
}

/** What a schema accepts, as errors and the doc say it: "an integer ≥ 1", "one of adam, adagrad". */
export function describe(schema: TSchema | Node): string {
  const n = node(schema);
  if (n.expected !== undefined) return n.expected;
  if (n.enum !== undefined) return `one of ${n.enum.join(", ")}`;
  if (n.anyOf !== undefined) return n.anyOf.map(describe).join(" or ");
  switch (n.type) {
    case "integer":
      return `an integer${range(n)}`;
    case "number":
      return `a number${range(n)}`;
    case "string":
      return n.path === true ? "a file path" : n.minLength !== undefined && n.minLength > 0 ? "a non-empty string" : "a string";
    case "boolean":
      return "true or false";
    case "array":
      return "an array";
    default:
      return "an object";
  }
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Whether `value` has the JSON type of schema `n`. */
function hasTypeOf(n: Node, value: unknown): boolean {
  switch (n.type) {
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value);
    case "integer":
    case "number":
      return typeof value === "number";
    default:
      return typeof value === n.type;
  }
}

/**
 * Checks a document against the reference and returns it with the defaults filled in: unknown keys are
 * refused (with the nearest known key), a relative path is resolved from `baseDir`, and every error names
 * the path of the key (`config.distill.alpha: expected a number in [0, 1], got 2`). A feature's keys marked
 * `appliesTo` are refused on features of another type. Rules across keys are parse.ts's.
 */
export class SchemaWalker {
  constructor(
    readonly root: string,
    readonly baseDir?: string,
  ) {}

  at(path: ConfigPath): string {
    return formatPath(this.root, path);
  }

  fail(path: ConfigPath, reason: string): never {
    throw new ConfigError(path, `${this.at(path)}: ${reason}`);
  }

  expected(path: ConfigPath, schema: TSchema | Node, got: unknown): never {
    return this.fail(path, `expected ${describe(schema)}, got ${show(got)}`);
  }

  /** `value` checked against `schema`, or its default; undefined when it is absent and has none. */
  optional(schema: TSchema | Node, value: unknown, path: ConfigPath): unknown {
    const n = node(schema);
    if (value === undefined) {
      if (n.default === undefined) return undefined;
      value = structuredClone(n.default);
    }
    if (n.anyOf !== undefined) return this.alternative(n, value, path);
    switch (n.type) {
      case "object":
        return this.object(n, value, path);
      case "array":
        return this.array(n, value, path);
      case "string": {
        const ok = typeof value === "string" && value.length >= (n.minLength ?? 0) && (n.enum === undefined || n.enum.includes(value));
        if (!ok) return this.expected(path, n, value);
        return n.path === true && this.baseDir !== undefined && !isAbsolute(value as string) ? resolve(this.baseDir, value as string) : value;
      }
      case "number":
      case "integer": {
        const ok =
          typeof value === "number" &&
          Number.isFinite(value) &&
          (n.type === "number" || Number.isInteger(value)) &&
          (n.minimum === undefined || value >= n.minimum) &&
          (n.maximum === undefined || value <= n.maximum) &&
          (n.exclusiveMinimum === undefined || value > n.exclusiveMinimum) &&
          (n.exclusiveMaximum === undefined || value < n.exclusiveMaximum);
        return ok ? value : this.expected(path, n, value);
      }
      case "boolean":
        return typeof value === "boolean" ? value : this.expected(path, n, value);
      default:
        throw new Error(`SchemaWalker: no rule for schema type ${String(n.type)} at ${this.at(path)}`);
    }
  }

  /** `value` checked against `schema`; absent with no default is an error. */
  required(schema: TSchema | Node, value: unknown, path: ConfigPath): unknown {
    const out = this.optional(schema, value, path);
    return out === undefined ? this.expected(path, schema, value) : out;
  }

  /** `value` checked against the alternative of its JSON type; a mistake at `path` itself says what the union takes. */
  private alternative(n: Node, value: unknown, path: ConfigPath): unknown {
    const branch = n.anyOf!.find((b) => hasTypeOf(b, value));
    if (branch === undefined) return this.expected(path, n, value);
    try {
      return this.required(branch, value, path);
    } catch (e) {
      if (e instanceof ConfigError && e.path.length === path.length) return this.expected(path, n, value);
      throw e;
    }
  }

  private object(n: Node, value: unknown, path: ConfigPath): Record<string, unknown> {
    if (!isObject(value)) return this.expected(path, n, value);
    const properties = n.properties ?? {};
    const known = Object.keys(properties);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key in properties) continue;
      if (n.additionalProperties === true) out[key] = value[key];
      else this.fail([...path, key], `unknown key${didYouMean(key, known) || `; allowed: ${known.join(", ")}`}`);
    }
    for (const [key, prop] of Object.entries(properties)) {
      const at = [...path, key];
      if (prop.appliesTo !== undefined) {
        // Properties come in the reference's order, so a feature's `type` is known by now.
        const kind = out.type as FeatureType;
        if (!prop.appliesTo.includes(kind)) {
          if (value[key] !== undefined) this.fail(at, `only for ${prop.appliesTo.join(" or ")} features; this one is ${kind}`);
          continue;
        }
      }
      const isRequired = n.required?.includes(key) === true && prop.defaultText === undefined;
      const checked = isRequired ? this.required(prop, value[key], at) : this.optional(prop, value[key], at);
      if (checked !== undefined) out[key] = checked;
    }
    return out;
  }

  private array(n: Node, value: unknown, path: ConfigPath): unknown[] {
    const fits = Array.isArray(value) && value.length >= (n.minItems ?? 0) && value.length <= (n.maxItems ?? Infinity);
    if (!fits) return this.expected(path, n, value);
    const items = n.items!;
    // Scalars are reported with their whole array ("an array of positive integers, got [0]"); objects by index.
    if (items.type !== "object") {
      try {
        return value.map((x, i) => this.required(items, x, [...path, i]));
      } catch (e) {
        if (e instanceof ConfigError) return this.expected(path, n, value);
        throw e;
      }
    }
    return value.map((x, i) => this.required(items, x, [...path, i]));
  }
}
