import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
export default defineConfig({
  plugins: [cloudflareTest({ main: "./test/workers/fixture/bundle/entry.ts", wrangler: { configPath: "./test/workers/fixture/bundle/wrangler.jsonc" } })],
  test: { include: ["test/workers/*.test.ts"], globalSetup: ["test/workers/global-setup.ts"] },
});
