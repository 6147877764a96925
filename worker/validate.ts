import { EncodeError } from "../sdk/runtime/encode";
import { HttpError, badRequest, echoed } from "./http-error";
import type { EnvelopeScanner } from "./json-scan";
import type { Limits } from "./limits";
import { MAX_SPLIT_KEY_LENGTH } from "./split";

/**
 * Validation at the boundary: everything a client sends is checked here (or by the shared `RowEncoder`,
 * whose `EncodeError`s are mapped by `encodeErrorToHttp`) before it reaches the scorer.
 */

/** Keys that would reach for `Object.prototype` if code downstream ever copied rows into plain objects. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The keys of the request envelope: the rows, and optionally the split key and the model asked for. */
const ROWS = "rows";
const KEY = "key";
const MODEL = "model";
const ENVELOPE_KEYS: ReadonlySet<string> = new Set([ROWS, KEY, MODEL]);

/** `rows[3].C1`, or `rows[3]["odd key"]` when the key is not an identifier; a long key is cut (`echoed`). */
export function fieldPath(base: string, key: string): string {
  const shown = echoed(key);
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${shown}` : `${base}[${JSON.stringify(shown)}]`;
}

/** 415 unless the media type is `application/json` (parameters such as charset are allowed). */
export function checkContentType(request: Request): void {
  const header = request.headers.get("content-type");
  const mediaType = header?.split(";", 1)[0]!.trim().toLowerCase();
  if (mediaType !== "application/json")
    throw new HttpError(415, "unsupported_media_type", `expected content-type application/json, got ${header === null ? "none" : JSON.stringify(header)}`);
}

/**
 * 415 for a body sent with a Content-Encoding (gzip, br, …): the worker reads bodies as sent and would
 * otherwise report compressed bytes as invalid JSON.
 */
export function checkContentEncoding(request: Request): void {
  const encoding = request.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity")
    throw new HttpError(415, "unsupported_encoding", `request bodies must not be encoded, got content-encoding ${JSON.stringify(echoed(encoding))}; send plain JSON`);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "payload_too_large", `request body is larger than ${maxBytes} bytes`);
}

/**
 * The body stream failed before its end: the client disconnected or its upload broke. The client's failure
 * (400), logged as one info line by the handler, never a 500.
 */
function bodyAborted(): HttpError {
  return new HttpError(400, "body_aborted", "the request body could not be read to its end (the upload was interrupted)", null, {}, "info");
}

/**
 * Reads the body as UTF-8 text, refusing (413) a declared Content-Length over the limit before reading, and
 * an actual body over the limit as soon as the bytes read pass it (a client may lie or stream chunked).
 * `scanner`, when given, sees every chunk as it arrives and may refuse the body before it is all read.
 */
export async function readBodyText(request: Request, maxBytes: number, scanner?: EnvelopeScanner): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw bodyAborted();
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    try {
      if (total > maxBytes) throw tooLarge(maxBytes);
      scanner?.push(value);
    } catch (e) {
      await reader.cancel().catch(() => undefined);
      throw e;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest("invalid_json", "request body is not valid UTF-8");
  }
}

/** Parses JSON; a syntax error is the client's (400 `invalid_json`). */
export function parseJson(text: string): unknown {
  if (text.trim() === "") throw badRequest("invalid_json", "request body is empty; expected a JSON object");
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest("invalid_json", `request body is not valid JSON: ${(e as Error).message}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** Checks one key of a client object: never a prototype key, and a known name unless unknown keys are ignored. */
function checkKey(key: string, path: string, known: (k: string) => boolean, limits: Limits): boolean {
  if (FORBIDDEN_KEYS.has(key)) throw badRequest("forbidden_key", `key '${key}' is not allowed`, path);
  if (known(key)) return true;
  if (limits.unknownFields === "reject") throw badRequest("unknown_field", `unknown field '${echoed(key)}'`, path);
  return false;
}

/** The JSON a client may send for a feature: a scalar, or for a sequence also an array of scalars. */
export type FeatureShape = "scalar" | "list";

/** A score request's envelope, checked: its rows are checked against the chosen student by `validateRows`. */
export interface ScoreEnvelope {
  rows: unknown;
  /** The split key (worker/split.ts): a string, or an integer given as a number. */
  key: string | null;
  /** The model id the client asks for, bypassing the split. */
  model: string | null;
}

/** An optional string member of the envelope; `integers`: an integer number is accepted as its decimal text. */
function optionalString(body: Record<string, unknown>, name: string, maxLength: number, integers: boolean): string | null {
  if (!Object.prototype.hasOwnProperty.call(body, name)) return null;
  const v = body[name];
  const text = integers && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof text !== "string" || text === "" || text.length > maxLength)
    throw badRequest("invalid_type", `'${name}' must be a non-empty string of at most ${maxLength} characters${integers ? " or an integer" : ""}, got ${typeof text === "string" ? `${text.length} characters` : kindOf(v)}`, name);
  return text;
}

/**
 * Validates the envelope `{"rows": [...], "key"?: "user-42", "model"?: id}`: a plain object with only those
 * keys (others as `limits.unknownFields` says) and `rows` present.
 */
export function validateEnvelope(body: unknown, limits: Limits): ScoreEnvelope {
  if (!isPlainObject(body)) throw badRequest("invalid_request", `expected a JSON object with '${ROWS}', got ${kindOf(body)}`);
  for (const key of Object.keys(body)) checkKey(key, echoed(key), (k) => ENVELOPE_KEYS.has(k), limits);
  if (!Object.prototype.hasOwnProperty.call(body, ROWS)) throw badRequest("invalid_request", `missing '${ROWS}'`, ROWS);
  return { rows: body[ROWS], key: optionalString(body, KEY, MAX_SPLIT_KEY_LENGTH, true), model: optionalString(body, MODEL, MAX_SPLIT_KEY_LENGTH, false) };
}

/**
 * Validates the rows of a request: a non-empty array of at most `limits.maxRows` plain objects whose keys
 * are features of the map and whose values are scalars, or arrays of scalars for "list" features (nesting
 * is refused at the first level below that, so depth never matters). The types of the scalars are the
 * encoder's business.
 */
export function validateRows(rows: unknown, features: ReadonlyMap<string, FeatureShape>, limits: Limits): Record<string, unknown>[] {
  if (!Array.isArray(rows)) throw badRequest("invalid_type", `'${ROWS}' must be an array of objects, got ${kindOf(rows)}`, ROWS);
  if (rows.length === 0) throw badRequest("invalid_request", `'${ROWS}' must not be empty`, ROWS);
  if (rows.length > limits.maxRows)
    throw new HttpError(413, "too_many_rows", `${rows.length} rows is over the limit of ${limits.maxRows} per request`, ROWS);
  const known = (k: string) => features.has(k);
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r];
    const base = `${ROWS}[${r}]`;
    if (!isPlainObject(row)) throw badRequest("invalid_type", `expected an object of feature values, got ${kindOf(row)}`, base);
    for (const key of Object.keys(row)) {
      const path = fieldPath(base, key);
      if (!checkKey(key, path, known, limits)) continue;
      const v = row[key];
      if (features.get(key) === "list" && Array.isArray(v)) {
        const nested = v.findIndex((item) => typeof item === "object" && item !== null);
        if (nested >= 0) throw badRequest("invalid_type", `expected a string, a number or null, got ${kindOf(v[nested])}`, `${path}[${nested}]`);
      } else if (typeof v === "object" && v !== null)
        throw badRequest("invalid_type", `expected ${features.get(key) === "list" ? "an array, " : ""}a string, a number or null, got ${kindOf(v)}`, path);
    }
  }
  return rows as Record<string, unknown>[];
}

/** The encoder's refusal of a value, as the client's 400 naming `rows[i].feature`. */
export function encodeErrorToHttp(e: EncodeError): HttpError {
  const path = fieldPath(`${ROWS}[${e.row}]`, e.field);
  return badRequest("invalid_value", `${path}: ${e.reason}`, path);
}

/**
 * A finite number can still overflow float32 once transformed (e.g. 1e300 through a standard scaler, in a
 * feature map without training ranges; fitted maps clip to theirs first): that is the client's
 * out-of-range value (400), not a NaN to hand to the scorer. `slotNames`: the feature of each
 * slot of an encoded row.
 */
export function checkEncodedFinite(values: Float32Array, slotNames: readonly string[]): void {
  for (let k = 0; k < values.length; k++) {
    if (Number.isFinite(values[k]!)) continue;
    const path = fieldPath(`${ROWS}[${Math.floor(k / slotNames.length)}]`, slotNames[k % slotNames.length]!);
    throw badRequest("invalid_value", `${path}: value out of range (it overflows float32 once transformed)`, path);
  }
}
