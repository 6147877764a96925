import { formatDuration, type Logger } from "../log";

/**
 * Counts the trainings of a long command (`experiment`: every teacher and student, over every seed) and
 * says which one begins, with an overall ETA from the mean wall time of those finished so far.
 */
export class TrainingCounter {
  private begun = 0;
  private readonly started = performance.now();

  constructor(
    private planned: number,
    private readonly log: Logger,
  ) {}

  /** The trainings counted on, less any dropped. */
  get total(): number {
    return this.planned;
  }

  /** `n` of the planned trainings will not happen (a size-sweep budget no student reaches). */
  drop(n: number): void {
    this.planned = Math.max(this.begun, this.planned - n);
  }

  /** Training `model` begins: "training k/K: model", the time left once one has finished, a `training` event. */
  begin(model: string): void {
    const index = ++this.begun;
    const finished = index - 1;
    const etaSeconds = finished === 0 ? null : ((performance.now() - this.started) / 1000 / finished) * (this.total - finished);
    this.log.progress?.({ type: "training", index, total: this.total, model, etaSeconds });
    this.log(`training ${index}/${this.total}: ${model}${etaSeconds === null ? "" : ` (overall ETA ${formatDuration(etaSeconds)})`}`);
  }
}
