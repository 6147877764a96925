import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { throwIfAborted } from "../errors";
import { formatDuration, type Logger } from "../log";
import type { StepProgress } from "../progress-events";

/** Minimum seconds between two progress lines. */
const LINE_INTERVAL_S = 2;
/** Minimum seconds between two structured progress events. */
const EVENT_INTERVAL_S = 0.5;
/** Longest stretch of synchronous work before the event loop gets a turn (timers, an abort, a UI). */
const YIELD_INTERVAL_MS = 50;

/**
 * A progress line shown at most every LINE_INTERVAL_S seconds: redrawn in place where the logger can (a
 * terminal), else a new message each time (logs, CI).
 */
export class ProgressLine {
  readonly start = performance.now();
  private last = this.start;

  constructor(private readonly log: Logger) {}

  /** Shows `line(now)` if LINE_INTERVAL_S have passed since the last one. */
  update(line: (now: number) => string): void {
    const now = performance.now();
    if (now - this.last < LINE_INTERVAL_S * 1000) return;
    this.last = now;
    if (this.log.redraw !== undefined) this.log.redraw(line(now));
    else this.log(line(now));
  }

  /** Clears a redrawn line before the next output. */
  clear(): void {
    this.log.redraw?.("");
  }
}

/**
 * Between steps of synchronous work: gives the event loop a turn every YIELD_INTERVAL_MS (so timers and
 * `AbortController.abort()` can run) and throws an AbortError once the logger's signal has fired.
 */
export class Checkpoints {
  private lastYield = performance.now();
  constructor(private readonly signal: AbortSignal | undefined) {}

  async pass(): Promise<void> {
    throwIfAborted(this.signal);
    if (performance.now() - this.lastYield < YIELD_INTERVAL_MS) return;
    await yieldToEventLoop();
    this.lastYield = performance.now();
    throwIfAborted(this.signal);
  }
}

/** Which epoch of which model a progress line is about. */
export interface EpochPosition {
  model: string;
  epoch: number;
  epochs: number;
  totalRows: number;
}

/** Progress of an epoch: periodic lines and events (step, rows/s, ETA, running loss), and the abort checks. */
export class EpochProgress {
  private readonly progress: ProgressLine;
  private readonly checkpoints: Checkpoints;
  private readonly start: number;
  private lastEvent: number;
  private lossSum = 0;
  private steps = 0;
  private rows = 0;

  constructor(
    private readonly log: Logger,
    private readonly at: EpochPosition,
  ) {
    this.progress = new ProgressLine(log);
    this.checkpoints = new Checkpoints(log.signal);
    this.start = this.progress.start;
    this.lastEvent = this.start;
  }

  /** Records a finished step; resolves once the caller may run the next one (throws when aborted). */
  async step(rows: number, loss: number): Promise<void> {
    this.rows += rows;
    this.steps++;
    this.lossSum += loss;
    this.progress.update((now) => this.line(now));
    if (this.log.progress !== undefined) {
      const now = performance.now();
      if (now - this.lastEvent >= EVENT_INTERVAL_S * 1000) {
        this.lastEvent = now;
        this.log.progress(this.event(now));
      }
    }
    await this.checkpoints.pass();
  }

  /** Ends the epoch; returns its mean training loss and throughput. */
  finish(): { loss: number; rowsPerSecond: number; seconds: number } {
    this.progress.clear();
    const seconds = (performance.now() - this.start) / 1000;
    return { loss: this.lossSum / Math.max(1, this.steps), rowsPerSecond: this.rows / seconds, seconds };
  }

  private event(now: number): StepProgress {
    const rate = this.rows / ((now - this.start) / 1000);
    const { model, epoch, epochs, totalRows } = this.at;
    return { type: "step", model, epoch, epochs, step: this.steps, rows: this.rows, totalRows, rowsPerSecond: rate, etaSeconds: (totalRows - this.rows) / rate, loss: this.lossSum / this.steps };
  }

  private line(now: number): string {
    const e = this.event(now);
    const pct = ((100 * e.rows) / e.totalRows).toFixed(0).padStart(3);
    return `  ${e.model} epoch ${e.epoch}/${e.epochs} ${pct}% step ${e.step}, ${Math.round(e.rowsPerSecond)} rows/s, ETA ${formatDuration(e.etaSeconds)}, loss ${e.loss.toFixed(4)}`;
  }
}
