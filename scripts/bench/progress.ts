// Progress of a bench run over its whole matrix (every module in every process). On a
// terminal: one bar with an ETA, redrawn in place. Elsewhere (CI logs, pipes): one plain
// line per step, a step being one module measured in one process. Work is counted in
// expected cost, not in rows, so that the ETA is not fooled by a module whose rows each
// take seconds next to modules whose rows take milliseconds.
import { SingleBar } from 'cli-progress';
import { formatSeconds } from '../format.ts';

export interface ProgressStep {
  readonly process: number;
  readonly processes: number;
  readonly module: string;
  readonly rows: number;
}

export interface Progress {
  /** A process starts measuring a module. */
  begin(step: ProgressStep): void;
  /** A row of that module is measured; `cost` is its share of the module's expected cost. */
  row(cost: number): void;
  /** The module is measured in that process. */
  end(step: ProgressStep): void;
  stop(): void;
}

export function progressReporter(totalCost: number, totalRows: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY === true && process.env.CI === undefined
    ? new BarProgress(totalCost, totalRows, stream)
    : new LineProgress(totalCost, stream);
}

class BarProgress implements Progress {
  private readonly bar: SingleBar;
  private value = 0;
  private rows = 0;
  private readonly totalRows: number;

  constructor(total: number, totalRows: number, stream: NodeJS.WriteStream) {
    this.totalRows = totalRows;
    this.bar = new SingleBar({
      stream,
      format: ' {bar} {percentage}% · ETA {eta_formatted} · {rows}/{totalRows} rows · {step}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 40,
      fps: 5,
    });
    this.bar.start(Math.max(total, 1), 0, { rows: 0, totalRows, step: 'starting' });
  }

  row(cost: number): void {
    this.value += cost;
    this.rows++;
    this.bar.update(this.value, { rows: this.rows, totalRows: this.totalRows });
  }

  begin(step: ProgressStep): void {
    this.bar.update(this.value, { step: `process ${step.process}/${step.processes} · ${step.module}` });
  }

  end(): void {}

  stop(): void {
    this.bar.stop();
  }
}

class LineProgress implements Progress {
  private done = 0;
  private readonly started = performance.now();
  private readonly total: number;
  private readonly stream: NodeJS.WriteStream;

  constructor(total: number, stream: NodeJS.WriteStream) {
    this.total = total;
    this.stream = stream;
  }

  begin(): void {}

  row(cost: number): void {
    this.done += cost;
  }

  end(step: ProgressStep): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = this.done > 0 ? (elapsed * (this.total - this.done)) / this.done : 0;
    const percent = Math.min(100, (100 * this.done) / Math.max(this.total, 1));
    this.stream.write(
      `[${percent.toFixed(0).padStart(3)}%] process ${step.process}/${step.processes} ${step.module} (${step.rows} rows) · ` +
        `elapsed ${formatSeconds(elapsed)} · ETA ${formatSeconds(eta)}\n`,
    );
  }

  stop(): void {}
}
