import type { Io } from '../cli/io.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Waits shown on stderr: a spinner line that rewrites itself on a terminal, plain lines
 * (one per change) otherwise, so logs in CI stay readable.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private text = '';
  private readonly io: Io;

  constructor(io: Io) {
    this.io = io;
  }

  update(text: string): void {
    if (!this.io.stderrIsTTY) {
      this.io.err(`${text}\n`);
      return;
    }
    this.text = text;
    this.draw();
    this.timer ??= setInterval(() => this.draw(), 100);
  }

  /** Ends the current wait with a final line. */
  done(text: string): void {
    this.stop();
    this.io.err(`${this.io.stderrIsTTY ? '✓ ' : ''}${text}\n`);
  }

  /** Clears the spinner (also on errors), leaving the terminal clean. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.timer || this.text) this.io.err('\r\x1b[2K');
    this.timer = undefined;
    this.text = '';
  }

  private draw(): void {
    const width = (this.io.columns ?? 100) - 3;
    const line = this.text.length > width ? `${this.text.slice(0, width - 1).trimEnd()}…` : this.text;
    this.io.err(`\r\x1b[2K${FRAMES[this.frame++ % FRAMES.length]} ${line}`);
  }
}
