import { UserError } from "../errors";

/**
 * Checks of a model's hyperparameters beyond their JSON kind (which resolveModel checks): an enumerated
 * string, or an integer in range. Errors name the model and the hyperparameter.
 */
export function oneOf<T extends string>(model: string, key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UserError(`${model}.${key}: expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
}

export function integerAtLeast(model: string, key: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new UserError(`${model}.${key}: expected an integer >= ${min}, got ${value}`);
  return value;
}
