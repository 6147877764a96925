import { throwIfAborted } from "../errors";
import { formatDuration, type Logger } from "../log";
import type { ReadProgress } from "../progress-events";
import { ProgressLine } from "../train/progress";
import type { RecordStream } from "./readers/record-reader";
import type { RawRecord } from "./readers/types";

/** Minimum milliseconds between two `read` progress events. */
const EVENT_INTERVAL_MS = 500;

/**
 * The progress of reading `reader`: `add(rows)` as rows are done writes a periodic line and `read` events
 * (rows read, rows/s, and where the reader tells the bytes consumed, the share of its files' bytes and an
 * ETA), and stops with an AbortError once the logger's signal fires; `done()` clears the line.
 */
export class ReadProgressMeter {
  private readonly progress: ProgressLine;
  private rows = 0;
  private lastEvent: number;

  constructor(
    private readonly reader: RecordStream,
    private readonly log: Logger,
    private readonly label: string,
  ) {
    this.progress = new ProgressLine(log);
    this.lastEvent = this.progress.start;
  }

  private event(now: number): ReadProgress {
    const { reader, rows, label } = this;
    const seconds = (now - this.progress.start) / 1000;
    const fraction = reader.bytesRead > 0 && reader.bytesTotal > 0 ? Math.min(1, reader.bytesRead / reader.bytesTotal) : null;
    return { type: "read", label, file: reader.file, rows, fraction, rowsPerSecond: rows / seconds, etaSeconds: fraction === null ? null : (seconds * (1 - fraction)) / fraction };
  }

  private line(now: number): string {
    const e = this.event(now);
    const where = e.fraction !== null ? `${(100 * e.fraction).toFixed(0).padStart(3)}% of ${e.file}, ` : `${e.file}, `;
    const eta = e.etaSeconds !== null ? `, ETA ${formatDuration(e.etaSeconds)}` : "";
    return `  data: ${this.label} ${where}${this.rows.toLocaleString("en-US")} rows, ${Math.round(e.rowsPerSecond).toLocaleString("en-US")} rows/s${eta}`;
  }

  add(rows: number): void {
    throwIfAborted(this.log.signal);
    this.rows += rows;
    this.progress.update((now) => this.line(now));
    const now = performance.now();
    if (this.log.progress !== undefined && now - this.lastEvent >= EVENT_INTERVAL_MS) {
      this.lastEvent = now;
      this.log.progress(this.event(now));
    }
  }

  done(): void {
    this.progress.clear();
  }
}

/** A reader's chunks, passed through unchanged, with the progress of a ReadProgressMeter. */
export async function* withReadProgress(reader: RecordStream, log: Logger, label: string): AsyncGenerator<RawRecord[]> {
  const meter = new ReadProgressMeter(reader, log, label);
  for await (const chunk of reader.chunks()) {
    meter.add(chunk.length);
    yield chunk;
  }
  meter.done();
}
