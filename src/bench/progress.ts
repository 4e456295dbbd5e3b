// A progress bar on stderr (stdout stays free for results). On a terminal it redraws one line; when
// stderr is a file or pipe it prints a plain line every 10%, so logs stay readable.

const WIDTH = 30;

export class Progress {
  private done = 0;
  private lastPrinted = -1;
  private readonly started = Date.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {
    this.draw();
  }

  add(n: number): void {
    this.done = Math.min(this.total, this.done + n);
    this.draw();
  }

  /** The last line; `complete` (default) marks everything done, otherwise the count stays as it is. */
  finish(extra = '', complete = true): void {
    if (complete) this.done = this.total;
    this.draw(true, extra);
  }

  private draw(final = false, extra = ''): void {
    const fraction = this.total ? this.done / this.total : 1;
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(this.done / seconds) : 0;
    const text = `${this.label.padEnd(22)} ${bar(fraction)} ${String(Math.floor(fraction * 100)).padStart(3)}% ${this.done.toLocaleString('en')}/${this.total.toLocaleString('en')} (${rate.toLocaleString('en')}/s, ${seconds.toFixed(1)} s)${extra ? ` ${extra}` : ''}`;
    if (this.tty) {
      process.stderr.write(`\r${text}\x1b[K${final ? '\n' : ''}`);
      return;
    }
    // Plain output: a line per 10% (none at 0%), and the final line unless 100% was just printed.
    const step = Math.floor(fraction * 10);
    if ((final && (this.lastPrinted < 10 || extra)) || (!final && step > Math.max(0, this.lastPrinted))) {
      this.lastPrinted = final ? 10 : step;
      process.stderr.write(`${text}\n`);
    }
  }
}

function bar(fraction: number): string {
  const filled = Math.round(fraction * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
}

/** A status line on stderr. */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}
