// A Cloudflare Worker of your own that serves a student: put the run's student.wasm, feature-map.json and
// model.json beside this file (wrangler compiles the .wasm import; see `ctr-distill deploy` for a whole project).
import { createWorker } from "ctr-distill/worker";
import wasm from "./student.wasm";
import featureMap from "./feature-map.json";
import model from "./model.json";

export default createWorker({ wasm, featureMap, model, limits: { maxRows: 200 } });
