import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

/** Debian's interpreter, where `apt-get install python3-torch` puts torch (the `python3` on PATH may be another). */
export const PYTHON = "/usr/bin/python3";

/** Whether Debian's python3 imports torch. */
export function hasTorch(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
}

/** Whether Debian's python3 imports torch; with `install`, apt-get installs python3-torch first when it does not. */
export function ensureTorch(install: boolean, log: (line: string) => void): boolean {
  if (hasTorch()) return true;
  if (!install) {
    log(`  PyTorch peer unavailable: '${PYTHON} -c "import torch"' fails (pass --install-peers to apt-get install python3-torch)`);
    return false;
  }
  log("  installing python3-torch (apt-get install -y python3-torch) …");
  const r = spawnSync("apt-get", ["install", "-y", "python3-torch"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status !== 0) log(`  apt-get install python3-torch failed (status ${r.status})`);
  return hasTorch();
}
