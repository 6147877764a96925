/**
 * Writes the train split of a seeded synthetic click log (sdk/data/synthetic.ts) as a CSV with a header
 * (`click,C1,…,Cn`): a file of any size to try the readers, `data.cache` and training on. Memory holds the
 * generated rows, about 0.5 kB per row at 39 fields.
 *
 *   npx esbuild scripts/write-synthetic-csv.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=dist/write-synthetic-csv.js && node dist/write-synthetic-csv.js ROWS FIELDS OUT.csv
 */
import { createWriteStream } from "node:fs";
import { generateSynthetic } from "../sdk/data/synthetic";

const [rows, fields, out] = process.argv.slice(2);
if (out === undefined || !(Number(rows) >= 1) || !(Number(fields) >= 2)) {
  process.stderr.write("usage: write-synthetic-csv ROWS FIELDS OUT.csv\n");
  process.exit(1);
}
const log = generateSynthetic({ seed: 5, rows: { train: Number(rows), valid: 100, test: 1000 }, fields: Number(fields), vocabSize: 1000, interactions: Math.min(20, (Number(fields) * (Number(fields) - 1)) / 2), zipf: 1.1, ctr: 0.2 });
const file = createWriteStream(out);
file.write(["click", ...log.fields].join(",") + "\n");
let chunk = "";
log.train.rows.forEach((row, r) => {
  chunk += `${log.train.labels[r]},${row.join(",")}\n`;
  if (chunk.length > 1 << 20) {
    file.write(chunk);
    chunk = "";
  }
});
file.end(chunk);
