/**
 * A progress bar on stderr for long work (training, thousands of cases, curves), drawn only when
 * stderr is a terminal: piped or captured output (CI, tests) gets the results and nothing else.
 */
import cliProgress from "cli-progress";

export interface ProgressBar {
  /** Shows `label` with done/total; starts the bar on the first call, restarts it when the label changes. */
  update(label: string, done: number, total: number, extra?: string): void;
  stop(): void;
}

export function createProgressBar(options: { enabled?: boolean } = {}): ProgressBar {
  const enabled = (options.enabled ?? true) && process.stderr.isTTY === true;
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format:
        "{label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} | ETA {eta_formatted}{extra}",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let current: string | null = null;
  return {
    update(label, done, total, extra = "") {
      const payload = { label: label.padEnd(10), extra: extra ? ` | ${extra}` : "" };
      if (current !== label) {
        if (current !== null) bar.stop();
        current = label;
        bar.start(Math.max(total, 1), done, payload);
        return;
      }
      if (bar.getTotal() !== Math.max(total, 1)) bar.setTotal(Math.max(total, 1));
      bar.update(done, payload);
    },
    stop() {
      if (current !== null) bar.stop();
      current = null;
    },
  };
}
