import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** Built by test/workers/global-setup.ts before the workers project runs (gitignored). */
const WORKER_FIXTURE = "./test/workers/fixture/bundle";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          globalSetup: ["test/node/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Runs inside workerd. The pool reads the wrangler config when the project starts, after globalSetup.
        plugins: [cloudflareTest({ main: `${WORKER_FIXTURE}/entry.js`, wrangler: { configPath: `${WORKER_FIXTURE}/wrangler.jsonc` }, remoteBindings: false })],
        assetsInclude: ["**/*.wasm"],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["test/workers/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
