import { formatDuration, type Logger } from "../log";

/** Minimum seconds between two progress lines. */
const INTERVAL_S = 2;

/**
 * Periodic progress lines for an epoch: step, rows/s, ETA and the running loss. On a terminal the line
 * redraws in place; in logs (CI) it prints at most every INTERVAL_S seconds.
 */
export class EpochProgress {
  private readonly start = performance.now();
  private last = this.start;
  private lossSum = 0;
  private steps = 0;
  private rows = 0;

  constructor(
    private readonly log: Logger,
    private readonly label: string,
    private readonly totalRows: number,
    private readonly tty = process.stderr.isTTY === true,
  ) {}

  step(rows: number, loss: number): void {
    this.rows += rows;
    this.steps++;
    this.lossSum += loss;
    const now = performance.now();
    if (now - this.last < INTERVAL_S * 1000) return;
    this.last = now;
    const line = this.line(now);
    if (this.tty) process.stderr.write(`\r${line}\x1b[K`);
    else this.log(line);
  }

  /** Ends the epoch; returns its mean training loss and throughput. */
  finish(): { loss: number; rowsPerSecond: number; seconds: number } {
    if (this.tty) process.stderr.write("\r\x1b[K");
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
