/**
 * Changes to one record of settings, saved one after the other: each save carries every change not
 * saved yet, and starts once the one before has been answered, so that two quick changes never send
 * the older settings back over the newer. `onUnsaved` tells what is not saved yet (to show it
 * meanwhile); a refused save is reported and its changes dropped.
 */
export class SaveQueue<T extends object> {
  private unsaved: Partial<T> = {};
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (changes: Partial<T>) => Promise<void>,
    private readonly onUnsaved: (unsaved: Partial<T>) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  save(change: Partial<T>): Promise<void> {
    this.unsaved = { ...this.unsaved, ...change };
    this.onUnsaved(this.unsaved);
    this.tail = this.tail.then(() => this.flush());
    return this.tail;
  }

  private async flush(): Promise<void> {
    const sent = this.unsaved;
    if (Object.keys(sent).length === 0) return;
    try {
      await this.send(sent);
    } catch (err) {
      this.onError(err);
    }
    // What changed again while this save was on its way stays for the next one.
    const left: Partial<T> = {};
    for (const key of Object.keys(this.unsaved) as Array<keyof T>) {
      if (this.unsaved[key] !== sent[key]) left[key] = this.unsaved[key];
    }
    this.unsaved = left;
    this.onUnsaved(left);
  }
}
