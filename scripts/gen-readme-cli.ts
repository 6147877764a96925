/**
 * `npm run gen:readme-cli`: rewrites the README's CLI block (the first code block under "## CLI") from the
 * command tables, the same source as `--help`; test/node/docs.test.ts fails when the two drift.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "../sdk/cli/commands/index";
import { readmeCliBlock } from "../sdk/cli/help";
import { packageRoot } from "../sdk/package-root";

const readme = join(packageRoot(), "README.md");
const text = readFileSync(readme, "utf8");
const fence = text.indexOf("```", text.indexOf("\n## CLI\n"));
const bodyStart = text.indexOf("\n", fence) + 1;
const bodyEnd = text.indexOf("```", bodyStart);
if (fence < 0 || bodyEnd < 0) throw new Error(`${readme}: no code block under "## CLI"`);
writeFileSync(readme, text.slice(0, bodyStart) + readmeCliBlock(COMMANDS) + "\n" + text.slice(bodyEnd));
