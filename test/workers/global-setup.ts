import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildFixture } from "./fixture-builder";

/** `test/workers/fixture/` (gitignored): rebuilt before every run of the workers project, in Node. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), "fixture");

export default async function setup(): Promise<void> {
  await rm(FIXTURE_DIR, { recursive: true, force: true });
  await buildFixture(FIXTURE_DIR);
}
