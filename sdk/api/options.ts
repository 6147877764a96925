import { selectBackend, type BackendChoice, type BackendName } from "../backend";
import { libraryLogger, type Logger } from "../log";
import type { ProgressEvent } from "../progress-events";

/** What every long-running call of the SDK takes: where messages and progress go, and how to cancel. */
export interface CallOptions {
  /** Human-readable messages (the CLI's stderr lines); default: dropped. Pass `console.error` to see them. */
  logger?: (message: string) => void;
  /** Structured progress: data read, training steps and epochs, pipeline stages. */
  onProgress?: (event: ProgressEvent) => void;
  /** Stops the work between two training steps or data chunks with an `AbortError`; nothing half-written is left. */
  signal?: AbortSignal;
}

/** Calls that train: the TensorFlow.js backend too. */
export interface TrainOptions extends CallOptions {
  /** Default: the first that loads of tensorflow-gpu, tensorflow, wasm, cpu. */
  backend?: BackendName;
}

export function loggerOf(opts: CallOptions): Logger {
  return libraryLogger(opts);
}

/** Backends already selected in this process, by the name asked for ("" for the best available). */
const selected = new Map<string, Promise<BackendChoice>>();

/** Selects the training backend once per process (tfjs's backend is global), and logs which. */
export async function useBackend(opts: TrainOptions): Promise<BackendChoice> {
  const key = opts.backend ?? "";
  let choice = selected.get(key);
  if (choice === undefined) {
    choice = selectBackend(opts.backend);
    selected.set(key, choice);
    choice.catch(() => selected.delete(key));
  }
  const chosen = await choice;
  opts.logger?.(`tfjs backend: ${chosen.name}${chosen.skipped.length > 0 ? ` (not available: ${chosen.skipped.join(", ")})` : ""}`);
  return chosen;
}
