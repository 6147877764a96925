import { throwIfAborted } from "../errors";
import { formatDuration, type Logger } from "../log";
import type { ReadProgress } from "../progress-events";
import { ProgressLine } from "../train/progress";
import type { RecordStream } from "./readers/record-reader";
import type { RawRecord } from "./readers/types";

/** Minimum milliseconds between two `read` progress events. */
const EVENT_INTERVAL_MS = 500;

/**
 * A reader's chunks, passed through unchanged, with a periodic line and `read` events: rows read, rows/s,
 * and (where the reader tells the bytes consumed: text formats, or the finished files of a data set) the
 * share of all its files' bytes and an ETA. Stops with an AbortError between chunks once the logger's
 * signal fires.
 */
export async function* withReadProgress(reader: RecordStream, log: Logger, label: string): AsyncGenerator<RawRecord[]> {
  const progress = new ProgressLine(log);
  let rows = 0;
  let lastEvent = progress.start;
  const event = (now: number): ReadProgress => {
    const seconds = (now - progress.start) / 1000;
    const fraction = reader.bytesRead > 0 && reader.bytesTotal > 0 ? Math.min(1, reader.bytesRead / reader.bytesTotal) : null;
    return { type: "read", label, file: reader.file, rows, fraction, rowsPerSecond: rows / seconds, etaSeconds: fraction === null ? null : (seconds * (1 - fraction)) / fraction };
  };
  const line = (now: number): string => {
    const e = event(now);
    const where = e.fraction !== null ? `${(100 * e.fraction).toFixed(0).padStart(3)}% of ${e.file}, ` : `${e.file}, `;
    const eta = e.etaSeconds !== null ? `, ETA ${formatDuration(e.etaSeconds)}` : "";
    return `  data: ${label} ${where}${rows.toLocaleString("en-US")} rows, ${Math.round(e.rowsPerSecond).toLocaleString("en-US")} rows/s${eta}`;
  };
  for await (const chunk of reader.chunks()) {
    throwIfAborted(log.signal);
    rows += chunk.length;
    progress.update(line);
    const now = performance.now();
    if (log.progress !== undefined && now - lastEvent >= EVENT_INTERVAL_MS) {
      lastEvent = now;
      log.progress(event(now));
    }
    yield chunk;
  }
  progress.clear();
}
