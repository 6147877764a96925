import { formatCount, formatMetric } from "./format";
import { escapeHtml } from "./html-escape";
import type { ReportMeta } from "./types";

/** The data set as HTML: the files (escaped), or the synthetic generator's main settings. */
function dataSource(data: ReportMeta["data"], s: ReportMeta["config"]["data"]["synthetic"]): string {
  if (data === "synthetic")
    return s === undefined ? "synthetic" : escapeHtml(`synthetic: generator seed ${s.seed}, ${s.fields} fields of ${formatCount(s.vocabSize)} values, ${s.interactions} planted interactions, base CTR ${s.ctr}`);
  const files = [`train <code>${escapeHtml(data.train)}</code>`];
  if (data.valid !== null) files.push(`valid <code>${escapeHtml(data.valid)}</code>`);
  if (data.test !== null) files.push(`test <code>${escapeHtml(data.test)}</code>`);
  if (data.split !== null) files.push(`split ${data.split.join(" / ")} of train by seed`);
  return files.join("; ");
}

/** The report's "Setup" section body: data set, splits (rows, click rate), seeds, backend, wall time, config. */
export function renderMeta(meta: ReportMeta): string {
  const splits = (["train", "valid", "test"] as const).map((k) => `<tr><th scope="row">${k}</th><td class="num">${formatCount(meta.splits[k].rows)}</td><td class="num">${formatMetric(meta.splits[k].positiveRate)}</td></tr>`);
  const seeds = meta.seeds.length > 1 ? ` (rows of seed ${meta.seeds[0]})` : "";
  const facts = [
    ["data", dataSource(meta.data, meta.config.data.synthetic)],
    ["seeds", escapeHtml(meta.seeds.join(", "))],
    ["backend", escapeHtml(meta.backend)],
    ["wall time", `${formatMetric(meta.seconds, 1)} s`],
  ];
  return (
    `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>` +
    `<div class="table-wrap"><table class="splits"><caption>Rows and click rate (share of positive labels) per split${seeds}.</caption>` +
    `<thead><tr><th scope="col">split</th><th scope="col" class="num">rows</th><th scope="col" class="num">positive rate</th></tr></thead><tbody>${splits.join("")}</tbody></table></div>` +
    `<details><summary>Configuration</summary><pre>${escapeHtml(JSON.stringify(meta.config, null, 2))}</pre></details>`
  );
}
