// esbuild settings for everything of ours that runs under Node: the package's index and CLI, the benchmarks
// and the scripts. One place, because of the tfjs-core registrations below.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * tfjs-core's Node entry (its CommonJS bundle) registers neither the chained tensor methods nor the gradients;
 * `@tensorflow/tfjs` does, from tfjs-core's ES module files, whose extensionless imports Node cannot load.
 * So those two registration modules (sdk/backend.ts imports them) are bundled into ours; tfjs-core keeps one
 * engine and one kernel and gradient registry per process (they live on the global object), so the bundled
 * ops and the package's own share them.
 */
const bundleTfjsRegistrations = {
  name: "bundle-tfjs-registrations",
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\// }, (args) => ({ path: require.resolve(args.path) }));
  },
};

/** Bundled ES modules for Node 20, with the npm dependencies left as imports. */
export const NODE_BUNDLE = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  plugins: [bundleTfjsRegistrations],
  logLevel: "warning",
};
