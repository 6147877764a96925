/**
 * The browser example: loads a run's `student.wasm` and `feature-map.json` with the project's loader
 * (ctr-distill-runtime.js, bundled from sdk/runtime by `npm run build:browser`), encodes pasted JSON rows
 * with the same RowEncoder the worker uses and shows their CTRs. No framework.
 *
 * The model comes from `?model=URL` (a folder holding the two files; default `model/`) or from files
 * picked on disk. `document.body.dataset.state` is loading | ready | scored | error, for tests.
 */
import { EncodeError, RowEncoder, Scorer, validateFeatureMap } from "./ctr-distill-runtime.js";

const $ = (id) => document.getElementById(id);

/** @type {{ scorer: Scorer, encoder: RowEncoder, example: string } | null} */
let loaded = null;

function setState(state) {
  document.body.dataset.state = state;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
  setState("error");
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

function formatBytes(n) {
  const kib = n / 1024;
  return `${n.toLocaleString("en-US")} bytes (${kib < 1024 ? `${kib.toFixed(1)} KiB` : `${(kib / 1024).toFixed(2)} MiB`})`;
}

/** A folder URL ends with a slash, so that `student.wasm` resolves inside it. */
function folder(url) {
  return url.endsWith("/") ? url : `${url}/`;
}

async function fetchOk(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`);
  return res;
}

/** Two rows built from the feature map, so that the textarea starts with something that scores. */
function exampleRows(map) {
  return [0, 1].map((r) => {
    const row = {};
    for (const f of map.features) {
      if (f.type === "categorical") row[f.name] = f.vocab[r % Math.max(1, f.vocab.length)] ?? "a";
      else if (f.type === "hashed") row[f.name] = `example-${r}`;
      else if (f.type === "numeric") row[f.name] = f.transform === "standard" ? f.a + r * f.b : r;
      else if (f.type === "log-square") row[f.name] = r + 1;
      else if (f.type === "quantile") row[f.name] = f.boundaries[Math.min(r, f.boundaries.length - 1)] ?? 0;
      else if (f.type === "sequence") row[f.name] = f.vocab.slice(r, r + 2);
    }
    return row;
  });
}

/** Instantiates the scorer, checks the feature map against it and shows what was loaded. */
async function load(wasmBytes, mapJson, source) {
  const t0 = performance.now();
  const map = validateFeatureMap(mapJson);
  const scorer = await Scorer.fromBytes(wasmBytes);
  scorer.checkFeatureMap(map);
  const ms = performance.now() - t0;

  const example = JSON.stringify(exampleRows(map), null, 2);
  const rows = $("rows");
  if (rows.value.trim() === "" || rows.value === loaded?.example) rows.value = example;
  loaded = { scorer, encoder: new RowEncoder(map, "json"), example };

  const { info } = scorer;
  $("model-id").textContent = info.modelId;
  $("feature-map-id").textContent = info.featureMapId;
  $("module-size").textContent = formatBytes(wasmBytes.byteLength);
  $("num-fields").textContent = String(info.numFields);
  $("max-batch").textContent = `${info.maxBatch} rows per call (larger batches are chunked)`;
  $("load-info").textContent = `${source} in ${ms.toFixed(1)} ms`;
  $("features").textContent = `Features: ${map.features.map((f) => `${f.name} (${f.type})`).join(", ")}`;
  $("score").disabled = false;
  $("results-panel").hidden = true;
  setState("ready");
}

async function loadFromUrl(url) {
  clearError();
  setState("loading");
  $("score").disabled = true;
  const base = folder(url);
  try {
    const [wasm, map] = await Promise.all([
      fetchOk(`${base}student.wasm`).then((r) => r.arrayBuffer()),
      fetchOk(`${base}feature-map.json`).then((r) => r.json()),
    ]);
    await load(wasm, map, base);
  } catch (e) {
    showError(`Cannot load the model from ${base}: ${e.message}`);
  }
}

async function loadFromFiles(files) {
  clearError();
  const wasm = files.find((f) => f.name.endsWith(".wasm"));
  const map = files.find((f) => f.name.endsWith(".json"));
  if (!wasm || !map) return showError("Pick both files of a run: student.wasm and feature-map.json.");
  try {
    await load(await wasm.arrayBuffer(), JSON.parse(await map.text()), `${wasm.name} + ${map.name} (local files)`);
  } catch (e) {
    showError(`Cannot load ${wasm.name} + ${map.name}: ${e.message}`);
  }
}

/** Rows as the worker takes them: an array of objects, `{"rows": [...]}`, or one object. */
function parseRows(text, features) {
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new Error(`The rows are not valid JSON: ${e.message}`);
  }
  const rows = Array.isArray(body) ? body : body !== null && typeof body === "object" && Array.isArray(body.rows) ? body.rows : [body];
  if (rows.length === 0) throw new Error("There are no rows to score.");
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row))
      throw new Error(`Row ${i} must be an object keyed by feature name, got ${row === null ? "null" : Array.isArray(row) ? "an array" : typeof row}.`);
    // As the worker does by default: a key that is no feature is a typo, not a missing value.
    const unknown = Object.keys(row).find((key) => !features.has(key));
    if (unknown !== undefined) throw new Error(`Row ${i}: '${unknown}' is not a feature of this model (features: ${[...features].join(", ")}).`);
  });
  return rows;
}

function score() {
  if (!loaded) return;
  clearError();
  let ctr, ms;
  try {
    const rows = parseRows($("rows").value, new Set(loaded.encoder.names));
    const t0 = performance.now();
    const encoded = loaded.encoder.encodeObjects(rows);
    ctr = loaded.scorer.score(encoded.ids, encoded.values, encoded.n);
    ms = performance.now() - t0;
  } catch (e) {
    $("results-panel").hidden = true;
    return showError(e instanceof EncodeError ? `Row ${e.row}, field '${e.field}': ${e.reason}.` : e.message);
  }
  render(Array.from(ctr), ms);
  setState("scored");
}

function render(ctr, ms) {
  const body = $("results").tBodies[0];
  body.replaceChildren(
    ...ctr.map((p, i) => {
      const tr = document.createElement("tr");
      const row = document.createElement("td");
      row.textContent = String(i);
      const value = document.createElement("td");
      value.className = "ctr";
      value.textContent = p.toFixed(6);
      value.dataset.ctr = String(p);
      const bar = document.createElement("td");
      bar.className = "bar";
      const fill = document.createElement("span");
      fill.style.width = `${(p * 100).toFixed(2)}%`;
      bar.append(fill);
      tr.append(row, value, bar);
      return tr;
    }),
  );
  $("summary").textContent = `${ctr.length} row${ctr.length === 1 ? "" : "s"} encoded and scored in ${ms.toFixed(2)} ms.`;
  $("result-json").textContent = JSON.stringify({ ctr, model: loaded.scorer.info.modelId });
  $("results-panel").hidden = false;
}

$("model-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const url = $("model-url").value.trim();
  const search = new URLSearchParams(location.search);
  search.set("model", url);
  history.replaceState(null, "", `?${search}`);
  loadFromUrl(url);
});
$("model-files").addEventListener("change", (event) => loadFromFiles([...event.target.files]));
$("score").addEventListener("click", score);
$("rows").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    score();
  }
});

const initial = new URLSearchParams(location.search).get("model") ?? "model/";
$("model-url").value = initial;
loadFromUrl(initial);
