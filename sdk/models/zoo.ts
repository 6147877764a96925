import { DeepFM } from "./deepfm";
import { DNN } from "./dnn";
import { listModels, registerModel } from "./registry";

/** Every model ctr-distill ships, registered once under the name the field uses. */
function registerZoo(): void {
  registerModel(DNN);
  registerModel(DeepFM);
}

if (listModels().length === 0) registerZoo();

export { buildModel, listModels, resolveModel } from "./registry";
