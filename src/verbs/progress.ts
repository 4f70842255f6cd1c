import type { Io } from './io.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Waits shown on stderr: a spinner line that rewrites itself on a terminal, plain lines
 * (one per change) otherwise, so logs in CI stay readable. Several waits may run at once
 * (components side by side), each under its own key: the spinner line shows them all.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private readonly active = new Map<string, string>();
  private readonly io: Io;

  constructor(io: Io) {
    this.io = io;
  }

  update(text: string, key = ''): void {
    if (!this.io.stderrIsTTY) {
      this.io.err(`${text}\n`);
      return;
    }
    this.active.set(key, text);
    this.draw();
    this.timer ??= setInterval(() => this.draw(), 100);
  }

  /** Ends the wait under `key` with a final line; the spinner goes on for the others. */
  done(text: string, key = ''): void {
    if (!this.io.stderrIsTTY) {
      this.io.err(`${text}\n`);
      return;
    }
    this.active.delete(key);
    if (this.active.size === 0) this.stopSpinning();
    this.io.err(`\r\x1b[2K✓ ${text}\n`);
    if (this.active.size > 0) this.draw();
  }

  /** Clears the spinner (also on errors), leaving the terminal clean. */
  stop(): void {
    if (this.timer || this.active.size > 0) this.io.err('\r\x1b[2K');
    this.stopSpinning();
    this.active.clear();
  }

  private stopSpinning(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private draw(): void {
    const text = [...this.active.values()].join(' · ');
    const width = (this.io.columns ?? 100) - 3;
    const line = text.length > width ? `${text.slice(0, width - 1).trimEnd()}…` : text;
    this.io.err(`\r\x1b[2K${FRAMES[this.frame++ % FRAMES.length]} ${line}`);
  }
}
