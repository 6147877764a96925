import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../sdk/config";
import { DOCS_FILE, EXAMPLE_JSON, EXAMPLE_YAML, renderDocs, renderJsonSchema, SCHEMA_FILE } from "../../sdk/config/reference";
import { REFERENCE_KEYWORDS } from "../../sdk/config/schema";

const ROOT = resolve(import.meta.dirname, "../..");
const shipped = (file: string) => readFileSync(resolve(ROOT, file), "utf8");
const REGENERATE = "out of date with sdk/config/schema.ts: run `npm run gen:config-docs`";

/** Every key path of a JSON Schema, `data.features[].type` style. */
function keyPaths(schema: { properties?: Record<string, unknown>; items?: unknown }, at = ""): string[] {
  const out: string[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const path = at === "" ? key : `${at}.${key}`;
    out.push(path, ...keyPaths(prop as typeof schema, path));
  }
  if (schema.items !== undefined) out.push(...keyPaths(schema.items as typeof schema, `${at}[]`));
  return out;
}

describe("the config reference", () => {
  it("schema/config.schema.json is what the reference renders", () => {
    expect(shipped(SCHEMA_FILE), `${SCHEMA_FILE} is ${REGENERATE}`).toBe(renderJsonSchema());
  });

  it("docs/config.md is what the reference renders", () => {
    expect(shipped(DOCS_FILE), `${DOCS_FILE} is ${REGENERATE}`).toBe(renderDocs());
  });

  it("the JSON Schema is plain JSON Schema (our keywords stripped) and docs/config.md has a row for each of its keys", () => {
    const schema = JSON.parse(shipped(SCHEMA_FILE)) as Parameters<typeof keyPaths>[0];
    const text = JSON.stringify(schema);
    for (const keyword of REFERENCE_KEYWORDS) expect(text).not.toContain(`"${keyword}":`);
    const docs = shipped(DOCS_FILE);
    const paths = keyPaths(schema);
    expect(paths).toContain("data.features[].transform");
    for (const path of paths) {
      const [, section, key] = /^(?:(.*)\.)?([^.]+)$/.exec(path)!;
      const heading = `### \`${section ?? "(top level)"}\``;
      const table = docs.slice(docs.indexOf(heading), docs.indexOf("\n### ", docs.indexOf(heading) + 1));
      expect(docs, path).toContain(heading);
      expect(table, path).toContain(`| \`${key}\` |`);
    }
  });

  it("the docs' examples are valid configurations", () => {
    expect(parseConfig(JSON.parse(EXAMPLE_JSON)).teachers.map((t) => t.model)).toEqual(["DeepFM", "DCN"]);
    expect(parseConfig(parseYaml(EXAMPLE_YAML)).data.positive).toEqual(["yes"]);
  });
});
