export { auc, gauc } from "./auc";
export { logloss, LOGLOSS_EPS } from "./logloss";
