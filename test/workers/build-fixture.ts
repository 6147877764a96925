/** `node build-fixture.mjs DIR`: builds the workers test fixture into DIR (run by global-setup.ts, bundled). */
import { buildFixture } from "./fixture-builder";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: build-fixture DIR");
await buildFixture(dir);
