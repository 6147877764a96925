#!/usr/bin/env node
/**
 * A tiny static file server for the browser example, on loopback only (plain Node, no dependencies):
 *
 *   npm run build:browser
 *   node scripts/runtimes/static-server.mjs --model runs/demo [--port 8080]
 *   # then open http://127.0.0.1:8080/
 *
 * Serves examples/browser/ at `/` and the run directory given by --model at `/model/` (the page's default
 * model location). `--mount /prefix/=DIR` adds more folders (test-runtimes.ts mounts its bench files).
 * `--port 0` picks a free port. The first line on stdout is `listening http://127.0.0.1:PORT/`.
 * GET and HEAD only; paths that leave their folder are refused; nothing is cached.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const HOST = "127.0.0.1";
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Content types of the files the example serves. */
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};

function usage(message) {
  process.stderr.write(`static-server: ${message}\nusage: static-server.mjs [--model DIR] [--mount /prefix/=DIR ...] [--port N]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  /** @type {Array<[string, string]>} prefix (with both slashes) → absolute folder */
  const mounts = [["/", join(ROOT, "examples", "browser")]];
  let port = 8080;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === "--port" && value !== undefined && /^\d+$/.test(value)) port = Number(argv[++i]);
    else if (arg === "--model" && value !== undefined) mounts.push(["/model/", resolve(argv[++i])]);
    else if (arg === "--mount" && value !== undefined && /^\/.*=.+$/.test(value)) {
      const at = value.indexOf("=");
      const prefix = value.slice(0, at).replace(/\/*$/, "/");
      mounts.push([prefix, resolve(value.slice(at + 1))]);
      i++;
    } else usage(`unexpected argument ${JSON.stringify(arg)}`);
  }
  // Longest prefix first, so /model/ wins over /.
  mounts.sort((a, b) => b[0].length - a[0].length);
  return { mounts, port };
}

/** The file a URL path names, or null when it is outside every mount. */
function locate(mounts, pathname) {
  let path;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  for (const [prefix, dir] of mounts) {
    if (!path.startsWith(prefix)) continue;
    const file = resolve(dir, "." + path.slice(prefix.length - 1));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

function answer(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(text + "\n");
}

const { mounts, port } = parseArgs(process.argv.slice(2));
const server = createServer(async (req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") return answer(res, 405, "GET or HEAD only");
  const { pathname } = new URL(req.url ?? "/", `http://${HOST}`);
  let file = locate(mounts, pathname);
  if (file === null) return answer(res, 404, "not found");
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      file = join(file, "index.html");
      info = await stat(file);
    }
    if (!info.isFile()) return answer(res, 404, "not found");
    res.writeHead(200, {
      "content-type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "content-length": info.size,
      "cache-control": "no-store",
    });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).on("error", () => res.destroy()).pipe(res);
  } catch {
    answer(res, 404, "not found");
  }
});
server.listen(port, HOST, () => {
  const address = server.address();
  process.stdout.write(`listening http://${HOST}:${address.port}/\n`);
  for (const [prefix, dir] of mounts) process.stderr.write(`  ${prefix} -> ${dir}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
