import type { CommandSpec } from "../command-spec";
import { deployCommand } from "./deploy";
import { distillCommand } from "./distill";
import { evaluateCommand } from "./evaluate";
import { experimentCommand } from "./experiment";
import { exportCommand } from "./export";
import { modelsCommand } from "./models";
import { runCommand } from "./run";
import { scoreCommand } from "./score";
import { serveCommand } from "./serve";
import { trainCommand } from "./train";

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [runCommand, trainCommand, distillCommand, evaluateCommand, experimentCommand, exportCommand, scoreCommand, serveCommand, deployCommand, modelsCommand];
