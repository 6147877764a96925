/** The test project's main module (test/workers/fixture/bundle/entry.js) exports one fetch handler. */
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: { default: ExportedHandler };
  }
}

/* The fixture is built by global-setup.ts; these let the tests type-check on a clean clone too. */
declare module "*/fixture/model/expected.json" {
  const expected: import("./fixture-types").Expected;
  export default expected;
}
declare module "*/fixture/model/feature-map.json" {
  const map: unknown;
  export default map;
}
declare module "*/fixture/model/model.json" {
  const model: unknown;
  export default model;
}
declare module "*/fixture/model/tampered/feature-map.json" {
  const map: unknown;
  export default map;
}
declare module "*/fixture/canary/expected.json" {
  const expected: import("./fixture-types").Expected;
  export default expected;
}
declare module "*/fixture/canary/feature-map.json" {
  const map: unknown;
  export default map;
}
declare module "*/fixture/canary/model.json" {
  const model: unknown;
  export default model;
}
declare module "*/fixture/compact/expected.json" {
  const expected: import("./fixture-types").Expected;
  export default expected;
}
declare module "*/fixture/compact/feature-map.json" {
  const map: unknown;
  export default map;
}
declare module "*/fixture/compact/model.json" {
  const model: unknown;
  export default model;
}
