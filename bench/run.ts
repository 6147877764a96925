import { formatTable, machineLine, type BenchCase } from "./harness";
import { BENCHMARKS } from "./registry";

/**
 * `npm run bench -- [NAME] [--json] [--quick]`: runs one benchmark (accuracy, data, train, score, worker) or all.
 * Benchmarks are listed in registry.ts; with --json, one JSON line per case on stdout, progress on stderr.
 */

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const quick = argv.includes("--quick");
  const names = argv.filter((a) => !a.startsWith("--"));
  for (const n of names)
    if (!(n in BENCHMARKS)) {
      process.stderr.write(`bench: unknown benchmark '${n}'; known: ${Object.keys(BENCHMARKS).join(", ")}\n`);
      return 1;
    }
  const log = (line: string) => process.stderr.write(line + "\n");
  log(`machine: ${machineLine()}`);
  const all: BenchCase[] = [];
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
    log(`== bench ${name}`);
    const cases = await (await BENCHMARKS[name]!())({ json, quick, log });
    all.push(...cases);
    if (json) for (const c of cases) process.stdout.write(JSON.stringify(c) + "\n");
  }
  if (!json) process.stdout.write(formatTable(all) + "\n");
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
