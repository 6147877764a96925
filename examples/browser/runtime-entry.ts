/**
 * Entry of `ctr-distill-runtime.js`, the browser bundle of the project's loader and encoder
 * (`npm run build:browser`; generated, gitignored): the `ctr-distill/runtime` entry point as one file.
 */
export * from "../../sdk/runtime/index";
