import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../../sdk/index";
import { COMMANDS } from "../../sdk/cli/commands/index";
import { commandHelp, readmeCliBlock } from "../../sdk/cli/help";

/** The README and docs/api.md say what the code does: each is compared with its source here. */
const ROOT = resolve(import.meta.dirname, "../..");
const README = readFileSync(resolve(ROOT, "README.md"), "utf8");

/** The body of the fenced block that follows `## heading` (the first fence after it). */
function fencedBlockAfter(heading: string): string {
  const at = README.indexOf(`\n## ${heading}\n`);
  expect(at, `README has no section "## ${heading}"`).toBeGreaterThan(-1);
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(README.slice(at));
  expect(block, `no code block under "## ${heading}"`).not.toBeNull();
  return block![1]!;
}

const cli = (args: string[]) => execFileSync(process.execPath, [resolve(ROOT, "bin/ctr-distill.js"), ...args], { encoding: "utf8" });

describe("the README", () => {
  it("lists every command as its --help does (`npm run gen:readme-cli` rewrites the block)", () => {
    expect(fencedBlockAfter("CLI").trimEnd()).toBe(readmeCliBlock(COMMANDS));
  });

  it("inlines examples/sdk/train-distill-score.ts verbatim under \"Use from TypeScript\"", () => {
    expect(fencedBlockAfter("Use from TypeScript")).toBe(readFileSync(resolve(ROOT, "examples/sdk/train-distill-score.ts"), "utf8"));
  });
});

describe("help", () => {
  it.each(COMMANDS.map((c) => c.name))("`ctr-distill %s --help` exits 0 with the command's generated help", (name) => {
    expect(cli([name, "--help"]).trimEnd()).toBe(commandHelp(COMMANDS.find((c) => c.name === name)!));
  });

  it("`ctr-distill --help` names every command, and --version the package's version", () => {
    const help = cli(["--help"]);
    for (const c of COMMANDS) expect(help).toContain(`  ${c.name} `);
    expect(cli(["--version"]).trim()).toBe(JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")).version);
  });
});

describe("docs/api.md", () => {
  it("documents every value the SDK exports", () => {
    const doc = readFileSync(resolve(ROOT, "docs/api.md"), "utf8");
    const missing = Object.keys(api).filter((name) => !doc.includes(`\`${name}`));
    expect(missing).toEqual([]);
  });
});
