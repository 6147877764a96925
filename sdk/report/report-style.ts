/** The page's stylesheet: system fonts only (nothing fetched), light, print-friendly. */
export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f6f8; color: #1f2328; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { font-size: 1.45rem; line-height: 1.3; margin: 0 0 4px; overflow-wrap: anywhere; }
.meta { color: #5f6670; margin: 0 0 20px; }
section { background: #fff; border: 1px solid #dfe2e6; border-radius: 8px; padding: 16px 20px 20px; margin: 0 0 20px; }
h2 { font-size: 1.15rem; margin: 0 0 4px; }
.lead { color: #5f6670; margin: 0 0 14px; font-size: 0.93rem; }
.note { color: #5f6670; font-style: italic; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
caption { caption-side: bottom; text-align: left; color: #5f6670; font-size: 0.85rem; padding-top: 8px; }
th, td { padding: 6px 10px; border-bottom: 1px solid #eceef1; text-align: left; white-space: nowrap; }
thead th { font-weight: 600; background: #f7f8fa; border-bottom: 1px solid #d5d9de; }
tbody th { font-weight: 400; }
.name { white-space: normal; min-width: 14em; overflow-wrap: anywhere; }
.num { text-align: right; }
tr.best > * { background: #e8f4ea; }
tr.best td.auc { font-weight: 700; }
tr.bound > * { color: #5f6670; font-style: italic; border-top: 1px solid #d5d9de; }
.badge { display: inline-block; margin-left: 6px; padding: 0 6px; border-radius: 9px; background: #2e7d32; color: #fff; font-size: 0.72rem; font-weight: 600; font-style: normal; vertical-align: 1px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 12px; }
.facts dt { color: #5f6670; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
table.splits { width: auto; }
ul.run-dirs { margin: 4px 0 0; padding-left: 20px; }
ul.run-dirs code { overflow-wrap: anywhere; }
details pre { background: #f7f8fa; padding: 10px; border-radius: 6px; overflow-x: auto; font-size: 0.82rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 16px; }
.calibration { display: grid; grid-template-columns: minmax(300px, 480px) minmax(0, 1fr); gap: 24px; align-items: start; }
.calibration .name { min-width: 8em; }
.calibration thead th { white-space: normal; vertical-align: bottom; }
.calibration th, .calibration td { padding: 6px 8px; }
@media (max-width: 900px) { .charts, .calibration { grid-template-columns: 1fr; } }
svg.chart { display: block; width: 100%; height: auto; max-width: 100%; }
.calibration svg.chart { max-width: 480px; }
@media print { body { background: #fff; } section { break-inside: avoid; border: none; padding: 0; } }
`;
