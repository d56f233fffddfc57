// The pacing queue of one account: GeWe warns about call frequency, so every revoke of an account (alarms, by hand,
// undo) goes through one of these in the account's Durable Object.

/** Runs an account's revokes: at most `concurrency` at once, starts at least `intervalMs` apart, in the order asked. */
export class Pacer {
  #queue = [];
  #active = 0;
  #nextStart = 0;
  #timer = null;

  constructor({ concurrency, intervalMs }) {
    this.concurrency = concurrency;
    this.intervalMs = intervalMs;
  }

  /** Runs `task` in its turn; settles as the task does. */
  run(task) {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#pump();
    });
  }

  #pump() {
    while (this.#timer === null && this.#active < this.concurrency && this.#queue.length > 0) {
      const wait = this.#nextStart - Date.now();
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.#pump();
        }, wait);
        return;
      }
      const { task, resolve, reject } = this.#queue.shift();
      this.#active++;
      this.#nextStart = Date.now() + this.intervalMs;
      Promise.resolve()
        .then(task)
        .then(resolve, reject)
        .finally(() => {
          this.#active--;
          this.#pump();
        });
    }
  }
}
