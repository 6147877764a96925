import { statSync } from "node:fs";
import { formatDuration, type Logger } from "../log";
import { ProgressLine } from "../train/progress";
import type { RecordReader } from "./readers/record-reader";
import type { RawRecord } from "./readers/types";

/**
 * A reader's chunks, passed through unchanged, with a periodic line: rows read, rows/s, and (for text
 * formats, which report the bytes consumed) the share of the file and an ETA.
 */
export async function* withReadProgress(reader: RecordReader, log: Logger, label: string): AsyncGenerator<RawRecord[]> {
  const progress = new ProgressLine(log);
  // Stat only once the reader has checked the file (a missing one is the reader's clear error, not ours).
  let size = 0;
  let rows = 0;
  const line = (now: number): string => {
    const seconds = (now - progress.start) / 1000;
    const rate = rows / seconds;
    const share = reader.bytesRead / size;
    const where = reader.bytesRead > 0 ? `${(100 * share).toFixed(0).padStart(3)}% of ${reader.file}, ` : `${reader.file}, `;
    const eta = reader.bytesRead > 0 ? `, ETA ${formatDuration((seconds * (1 - share)) / share)}` : "";
    return `  data: ${label} ${where}${rows.toLocaleString("en-US")} rows, ${Math.round(rate).toLocaleString("en-US")} rows/s${eta}`;
  };
  for await (const chunk of reader.chunks()) {
    if (rows === 0) size = statSync(reader.file).size;
    rows += chunk.length;
    progress.update(line);
    yield chunk;
  }
  progress.clear();
}
