import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { DOCS_FILE, renderDocs, renderJsonSchema, SCHEMA_FILE } from "../sdk/config/reference";

/** Writes schema/config.schema.json and docs/config.md from the config reference (sdk/config/schema.ts). */
const root = resolve(import.meta.dirname, "..");
writeFileSync(resolve(root, SCHEMA_FILE), renderJsonSchema());
writeFileSync(resolve(root, DOCS_FILE), renderDocs());
console.log(`wrote ${SCHEMA_FILE} and ${DOCS_FILE}`);
