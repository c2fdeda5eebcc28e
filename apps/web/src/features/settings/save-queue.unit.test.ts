import { describe, expect, it } from 'vitest';
import { SaveQueue } from './save-queue';

interface Prefs {
  mode: string;
  sound: string;
  volume: number;
}

function setup(refuse = false) {
  const sent: Array<Partial<Prefs>> = [];
  const answers: Array<() => void> = [];
  const unsaved: Array<Partial<Prefs>> = [];
  const errors: unknown[] = [];
  const queue = new SaveQueue<Prefs>(
    (changes) =>
      new Promise<void>((resolve, reject) => {
        sent.push(changes);
        answers.push(refuse ? () => reject(new Error('refused')) : resolve);
      }),
    (u) => unsaved.push(u),
    (err) => errors.push(err),
  );
  const answer = async () => {
    answers.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { queue, sent, unsaved, errors, answer };
}

describe('SaveQueue', () => {
  it('sends one save at a time; changes made meanwhile go together in the next', async () => {
    const { queue, sent, unsaved, answer } = setup();
    void queue.save({ sound: 'chime' });
    await new Promise((r) => setTimeout(r, 0));
    void queue.save({ mode: 'mentions' });
    void queue.save({ volume: 40 });
    expect(sent).toEqual([{ sound: 'chime' }]);
    expect(unsaved.at(-1)).toEqual({ sound: 'chime', mode: 'mentions', volume: 40 });
    await answer();
    expect(sent).toEqual([{ sound: 'chime' }, { mode: 'mentions', volume: 40 }]);
    expect(unsaved.at(-1)).toEqual({ mode: 'mentions', volume: 40 });
    await answer();
    expect(sent).toHaveLength(2);
    expect(unsaved.at(-1)).toEqual({});
  });

  it('a value changed again while its save was on its way is sent again', async () => {
    const { queue, sent, answer } = setup();
    void queue.save({ volume: 40 });
    await new Promise((r) => setTimeout(r, 0));
    void queue.save({ volume: 60 });
    await answer();
    expect(sent).toEqual([{ volume: 40 }, { volume: 60 }]);
  });

  it('a refused save is reported and its changes dropped', async () => {
    const { queue, unsaved, errors, answer } = setup(true);
    void queue.save({ mode: 'none' });
    await new Promise((r) => setTimeout(r, 0));
    await answer();
    expect(errors).toHaveLength(1);
    expect(unsaved.at(-1)).toEqual({});
  });
});
