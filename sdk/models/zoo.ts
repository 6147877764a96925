import { AutoIntPlus } from "./autoint-plus";
import { DCN } from "./dcn";
import { DCNv2 } from "./dcn-v2";
import { DeepFM } from "./deepfm";
import { DNN } from "./dnn";
import { FiBiNET } from "./fibinet";
import { FM } from "./fm";
import { IPNN } from "./ipnn";
import { LR } from "./lr";
import { NFM } from "./nfm";
import { listModels, registerModel } from "./registry";
import { WideDeep } from "./wide-deep";
import { xDeepFM } from "./xdeepfm";

/** Every model ctr-distill ships, registered once under the name the field uses. */
function registerZoo(): void {
  registerModel(LR);
  registerModel(FM);
  registerModel(DNN);
  registerModel(WideDeep);
  registerModel(DeepFM);
  registerModel(NFM);
  registerModel(IPNN);
  registerModel(DCN);
  registerModel(DCNv2);
  registerModel(xDeepFM);
  registerModel(AutoIntPlus);
  registerModel(FiBiNET);
}

if (listModels().length === 0) registerZoo();

export { buildModel, listModels, resolveModel } from "./registry";
