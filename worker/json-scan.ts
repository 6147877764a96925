import { HttpError, badRequest } from "./http-error";

/**
 * Deepest JSON nesting a score request may have: envelope (1), `rows` (2), a row (3), a sequence's array
 * (4), with room for values the `ignore` policy skips. Anything deeper is refused while being read.
 */
export const MAX_JSON_DEPTH = 8;

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Bounds a request body while it is read, chunk by chunk, before anything parses it: the nesting depth, and
 * the elements of the arrays directly inside the envelope object (`rows`; under the `ignore` policy an
 * unknown array there counts too). A hostile 1 MiB body of 100k rows is thus refused at row `maxRows + 1`,
 * after a few kilobytes, instead of after a full `JSON.parse`.
 *
 * It reads UTF-8 bytes: every structural character is ASCII and no byte of a multi-byte character is, so
 * it only has to follow strings and escapes. It does not validate JSON; `JSON.parse` does that afterwards,
 * and `validateScoreRequest` checks the row count again on the parsed value.
 */
export class EnvelopeScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Whether the container at depth 1 is an object and the one at depth 2 an array. */
  private envelopeIsObject = false;
  private inEnvelopeArray = false;
  /** Inside an envelope array, whether the next non-blank byte starts an element. */
  private expectElement = false;
  private elements = 0;

  constructor(private readonly maxRows: number) {}

  /** Scans the next chunk; throws the client's HttpError as soon as a bound is passed. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        i = this.skipString(chunk, i);
        continue;
      }
      const b = chunk[i++]!;
      if (isWhitespace(b)) continue;
      if (this.inEnvelopeArray && this.depth === 2) {
        if (b === COMMA) {
          this.expectElement = true;
          continue;
        }
        if (this.expectElement && b !== CLOSE_ARRAY) {
          this.expectElement = false;
          if (++this.elements > this.maxRows)
            throw new HttpError(413, "too_many_rows", `'rows' has more than ${this.maxRows} rows, the limit per request`, "rows");
        }
      }
      if (b === QUOTE) this.inString = true;
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) this.open(b);
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) this.close();
    }
  }

  /**
   * Inside a string from `from`: jumps to its closing quote with native searches (so long strings cost
   * little), skipping escaped characters, and returns the index after what it consumed. A chunk that ends
   * inside the string, or right after a backslash, leaves that state for the next one.
   */
  private skipString(chunk: Uint8Array, from: number): number {
    let i = from;
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    while (i < chunk.length) {
      const quote = chunk.indexOf(QUOTE, i);
      const end = quote < 0 ? chunk.length : quote;
      // An odd run of backslashes right before `end` escapes what is there (the quote, or the next chunk's
      // first byte). The run is counted from `i` only: what came before was consumed already.
      let run = 0;
      while (end - run - 1 >= i && chunk[end - run - 1] === BACKSLASH) run++;
      const escapedEnd = run % 2 === 1;
      if (quote < 0) {
        this.escaped = escapedEnd;
        return chunk.length;
      }
      if (!escapedEnd) {
        this.inString = false;
        return quote + 1;
      }
      i = quote + 1;
    }
    return i;
  }

  private open(b: number): void {
    if (++this.depth > MAX_JSON_DEPTH) throw badRequest("too_deep", `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (this.depth === 1) this.envelopeIsObject = b === OPEN_OBJECT;
    if (this.depth === 2 && this.envelopeIsObject && b === OPEN_ARRAY) {
      this.inEnvelopeArray = true;
      this.expectElement = true;
      this.elements = 0;
    }
  }

  private close(): void {
    if (this.depth === 2) this.inEnvelopeArray = false;
    if (this.depth > 0) this.depth--;
  }
}
