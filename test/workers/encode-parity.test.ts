import { describe, expect, it } from "vitest";
import { RowEncoder } from "../../sdk/runtime/encode";
import { validateFeatureMap } from "../../sdk/runtime/feature-map";
import expectedJson from "./fixture/model/expected.json";
import featureMapJson from "./fixture/model/feature-map.json";
import type { Expected } from "./fixture-types";

const expected = expectedJson as Expected;

describe("encoding parity between trainer and worker", () => {
  it("encodes the fixture's raw rows inside workerd to exactly the ids and values Node computed", () => {
    const encoded = new RowEncoder(validateFeatureMap(featureMapJson), "json").encodeObjects(expected.rows);
    expect(Array.from(encoded.ids)).toEqual(expected.encoded.ids);
    expect(Array.from(encoded.values)).toEqual(expected.encoded.values);
    // The rows exercise known, unseen and missing values, so the ids are not all alike.
    expect(new Set(expected.encoded.ids).size).toBeGreaterThan(expected.rows.length / 4);
  });
});
