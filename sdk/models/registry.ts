import { didYouMean } from "../config/suggest";
import { UserError } from "../errors";
import type { CtrModel, ModelContext } from "./model";

/** A hyperparameter value as it may appear in JSON config. */
export type HyperValue = number | boolean | string | number[];
export type Hyperparameters = Record<string, HyperValue>;

export interface ModelDefinition<H extends Hyperparameters = Hyperparameters> {
  /** The name the field uses: "DeepFM", "DCN", … */
  name: string;
  /** One line on what it is, with the paper. */
  description: string;
  defaults: H;
  build(ctx: ModelContext, hp: H): CtrModel;
}

const REGISTRY = new Map<string, ModelDefinition>();

export function registerModel<H extends Hyperparameters>(def: ModelDefinition<H>): void {
  if (REGISTRY.has(def.name)) throw new Error(`registerModel: '${def.name}' is registered twice`);
  REGISTRY.set(def.name, def as unknown as ModelDefinition);
}

export function listModels(): ModelDefinition[] {
  return [...REGISTRY.values()];
}

function sameKind(value: unknown, like: HyperValue): boolean {
  if (Array.isArray(like)) return Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isFinite(v));
  if (typeof like === "number") return typeof value === "number" && Number.isFinite(value);
  return typeof value === typeof like;
}

/**
 * Resolves a model by name and merges `overrides` into its defaults. A misspelt or mistyped option is an
 * error naming its config path (`where`), never silently ignored.
 */
export function resolveModel(name: string, overrides: Record<string, unknown>, where: string): { def: ModelDefinition; hp: Hyperparameters } {
  const def = REGISTRY.get(name);
  if (def === undefined) throw new UserError(`${where}.model: unknown model '${name}'; known: ${[...REGISTRY.keys()].join(", ")}${didYouMean(name, [...REGISTRY.keys()])}`);
  const hp: Hyperparameters = { ...def.defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (key === "model") continue;
    if (!(key in def.defaults))
      throw new UserError(`${where}.${key}: '${name}' has no hyperparameter '${key}'; it has ${Object.keys(def.defaults).join(", ")}${didYouMean(key, Object.keys(def.defaults))}`);
    const like = def.defaults[key]!;
    if (!sameKind(value, like))
      throw new UserError(`${where}.${key}: expected ${Array.isArray(like) ? "an array of numbers" : `a ${typeof like}`}, got ${JSON.stringify(value)}`);
    hp[key] = value as HyperValue;
  }
  return { def, hp };
}

export function buildModel(name: string, overrides: Record<string, unknown>, ctx: ModelContext, where = "model"): CtrModel {
  const { def, hp } = resolveModel(name, overrides, where);
  return def.build(ctx, hp);
}
