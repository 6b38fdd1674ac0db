import { h } from './dom.js';

/**
 * `?rotate=30s`: cycles overview → each outcome → each pillar, one page per period, for
 * wall screens nobody touches. Paused while the page is hidden. A thin bar at the top
 * shows the time to the next page.
 */
export class Rotation {
  readonly el: HTMLElement;
  private readonly bar: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly periodMs: number,
    private readonly pages: () => string[],
    private readonly current: () => string,
    private readonly go: (path: string) => void,
  ) {
    this.bar = h('div', { class: 'rotation-progress' });
    this.bar.style.animationDuration = `${periodMs}ms`;
    this.el = h('div', { class: 'rotation', 'aria-hidden': 'true' }, this.bar);
  }

  start(): void {
    document.addEventListener('visibilitychange', () => (document.hidden ? this.stop() : this.arm()));
    this.arm();
  }

  private arm(): void {
    this.stop();
    // Restart the progress animation.
    this.bar.classList.remove('run');
    void this.bar.offsetWidth;
    this.bar.classList.add('run');
    this.timer = setTimeout(() => this.next(), this.periodMs);
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private next(): void {
    const pages = this.pages();
    const i = pages.indexOf(this.current());
    const next = pages[(i + 1) % pages.length] ?? '/';
    this.go(next);
    this.arm();
  }
}
