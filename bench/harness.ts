import { cpus, totalmem } from "node:os";

/** One measured case (DESIGN.md "Benchmarks"): ours beside a peer on the same model and data. */
export interface BenchCase {
  bench: string;
  case: string;
  peer: string;
  ours: number;
  theirs: number;
  unit: string;
  /** ours / theirs for rates (higher is better); theirs / ours for costs. ratio > 1: ctr-distill is ahead. */
  ratio: number;
  /** Anything else worth printing (sizes, GFLOP/s, peak memory). */
  notes?: Record<string, number | string>;
}

export interface BenchOptions {
  json: boolean;
  /** Smaller sizes for a quick check (`--quick`). */
  quick: boolean;
  log: (line: string) => void;
}

export type Benchmark = (options: BenchOptions) => Promise<BenchCase[]>;

/** Builds a case of a rate (higher is better): ratio = ours / theirs. */
export function rateCase(bench: string, name: string, peer: string, ours: number, theirs: number, unit: string, notes?: BenchCase["notes"]): BenchCase {
  return { bench, case: name, peer, ours, theirs, unit, ratio: ours / theirs, ...(notes ? { notes } : {}) };
}

/** Builds a case of a cost (lower is better): ratio = theirs / ours. */
export function costCase(bench: string, name: string, peer: string, ours: number, theirs: number, unit: string, notes?: BenchCase["notes"]): BenchCase {
  return { bench, case: name, peer, ours, theirs, unit, ratio: theirs / ours, ...(notes ? { notes } : {}) };
}

/** The machine and runtime, printed with every table. */
export function machineLine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? "unknown CPU"} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}-${process.arch}`;
}

/**
 * Times `fn` repeatedly: a warm-up, then rounds until `minSeconds` have passed; returns the median
 * per-call seconds over the rounds (robust to a noisy neighbour on a 2-core machine).
 */
export function timeIt(fn: () => void, minSeconds = 1, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const end = performance.now() + minSeconds * 1000;
  while (performance.now() < end || samples.length < 5) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  return x.toPrecision(4);
}

/** A plain-text table of cases. */
export function formatTable(cases: BenchCase[]): string {
  const rows = [["bench", "case", "peer", "ours", "theirs", "unit", "ratio", "notes"]];
  for (const c of cases)
    rows.push([c.bench, c.case, c.peer, fmt(c.ours), fmt(c.theirs), c.unit, c.ratio.toFixed(2), c.notes ? Object.entries(c.notes).map(([k, v]) => `${k}=${typeof v === "number" ? fmt(v) : v}`).join(" ") : ""]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}
