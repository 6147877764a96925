import { formatDuration, type Logger } from "../log";

/** Minimum seconds between two progress lines. */
const INTERVAL_S = 2;

/**
 * A progress line shown at most every INTERVAL_S seconds: on a terminal it redraws in place; in logs (CI) it
 * is a new line each time.
 */
export class ProgressLine {
  readonly start = performance.now();
  private last = this.start;

  constructor(
    private readonly log: Logger,
    private readonly tty = process.stderr.isTTY === true,
  ) {}

  /** Shows `line(now)` if INTERVAL_S have passed since the last one. */
  update(line: (now: number) => string): void {
    const now = performance.now();
    if (now - this.last < INTERVAL_S * 1000) return;
    this.last = now;
    if (this.tty) process.stderr.write(`\r${line(now)}\x1b[K`);
    else this.log(line(now));
  }

  /** Clears a redrawn line before the next output. */
  clear(): void {
    if (this.tty) process.stderr.write("\r\x1b[K");
  }
}

/** Periodic progress lines for an epoch: step, rows/s, ETA and the running loss. */
export class EpochProgress {
  private readonly progress: ProgressLine;
  private readonly start: number;
  private lossSum = 0;
  private steps = 0;
  private rows = 0;

  constructor(
    log: Logger,
    private readonly label: string,
    private readonly totalRows: number,
    tty?: boolean,
  ) {
    this.progress = new ProgressLine(log, tty);
    this.start = this.progress.start;
  }

  step(rows: number, loss: number): void {
    this.rows += rows;
    this.steps++;
    this.lossSum += loss;
    this.progress.update((now) => this.line(now));
  }

  /** Ends the epoch; returns its mean training loss and throughput. */
  finish(): { loss: number; rowsPerSecond: number; seconds: number } {
    this.progress.clear();
    const seconds = (performance.now() - this.start) / 1000;
    return { loss: this.lossSum / Math.max(1, this.steps), rowsPerSecond: this.rows / seconds, seconds };
  }

  private line(now: number): string {
    const seconds = (now - this.start) / 1000;
    const rate = this.rows / seconds;
    const pct = ((100 * this.rows) / this.totalRows).toFixed(0).padStart(3);
    const eta = formatDuration((this.totalRows - this.rows) / rate);
    return `  ${this.label} ${pct}% step ${this.steps}, ${Math.round(rate)} rows/s, ETA ${eta}, loss ${(this.lossSum / this.steps).toFixed(4)}`;
  }
}
