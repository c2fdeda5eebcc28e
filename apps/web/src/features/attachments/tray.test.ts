import type { Attachment } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import {
  admit,
  failed,
  type PendingFile,
  percent,
  progressed,
  readyAttachments,
  removed,
  trayState,
  type UploadLimits,
  uploaded,
} from './tray';

const MB = 1024 * 1024;
const limits: UploadLimits = { maxFileBytes: 25 * MB, quotaBytes: 100 * MB, usedBytes: 40 * MB };

const pending = (key: string, size: number, status: PendingFile['status'] = 'uploading'): PendingFile => ({
  key,
  name: `${key}.bin`,
  size,
  type: '',
  status,
  loaded: 0,
});

const attachment = (id: string): Attachment => ({
  id,
  filename: `${id}.png`,
  size: 10,
  contentType: 'image/png',
  kind: 'image',
  url: `/api/files/${id}`,
});

describe('admit: which files may join the tray', () => {
  it('takes files within the cap and the quota, in order', () => {
    const files = [
      { name: 'a.png', size: 1 * MB },
      { name: 'b.pdf', size: 2 * MB },
    ];
    expect(admit([], files, limits)).toEqual({ accepted: files, refused: [] });
  });

  it('refuses a file over the size cap, naming it and the cap, and keeps the others', () => {
    const { accepted, refused } = admit(
      [],
      [
        { name: 'huge.mov', size: 25 * MB + 1 },
        { name: 'ok.png', size: 1 },
      ],
      limits,
    );
    expect(accepted.map((f) => f.name)).toEqual(['ok.png']);
    expect(refused).toEqual(['“huge.mov” is too large: files can be up to 25 MB.']);
  });

  it('refuses what the quota has no room for, counting files still uploading', () => {
    // 60 MB left; 20 MB already uploading leaves 40: 24 fits, the next 24 does not, 10 still does.
    const tray = [pending('up', 20 * MB), pending('done', 20 * MB, 'done')];
    const { accepted, refused } = admit(
      tray,
      [
        { name: 'one', size: 24 * MB },
        { name: 'two', size: 24 * MB },
        { name: 'three', size: 10 * MB },
      ],
      limits,
    );
    expect(accepted.map((f) => f.name)).toEqual(['one', 'three']);
    expect(refused).toEqual(['“two” (24 MB) is more than your storage has left (16 MB).']);
  });

  it('holds a message to 10 files and says how many were left out', () => {
    const tray = Array.from({ length: 8 }, (_, i) => pending(`f${i}`, 1, 'done'));
    const { accepted, refused } = admit(
      tray,
      ['a', 'b', 'c', 'd'].map((name) => ({ name, size: 1 })),
      limits,
    );
    expect(accepted.map((f) => f.name)).toEqual(['a', 'b']);
    expect(refused).toEqual(['A message can carry up to 10 files: 2 were left out.']);
  });

  it('without known limits only counts files (the server refuses the rest)', () => {
    const { accepted } = admit([], [{ name: 'x', size: 10_000 * MB }], undefined);
    expect(accepted).toHaveLength(1);
  });
});

describe('the tray through an upload', () => {
  it('moves from uploading to ready once every file is uploaded, in the tray order', () => {
    let tray = [pending('a', 100), pending('b', 50)];
    expect(trayState(tray)).toBe('uploading');
    tray = progressed(tray, 'a', 40);
    expect(percent(tray[0] as PendingFile)).toBe(40);
    tray = uploaded(tray, 'b', attachment('2'));
    expect(trayState(tray)).toBe('uploading');
    tray = uploaded(tray, 'a', attachment('1'));
    expect(trayState(tray)).toBe('ready');
    expect(readyAttachments(tray).map((a) => a.id)).toEqual(['1', '2']);
    expect(tray.map(percent)).toEqual([100, 100]);
  });

  it('is held by a failed file until it is removed', () => {
    let tray = uploaded([pending('a', 1), pending('b', 1)], 'a', attachment('1'));
    tray = failed(tray, 'b', 'Too large.');
    expect(trayState(tray)).toBe('failed');
    expect(tray[1]?.error).toBe('Too large.');
    tray = removed(tray, 'b');
    expect(trayState(tray)).toBe('ready');
    expect(trayState(removed(tray, 'a'))).toBe('empty');
  });

  it('ignores progress after a file finished', () => {
    const tray = progressed(uploaded([pending('a', 100)], 'a', attachment('1')), 'a', 3);
    expect(tray[0]?.loaded).toBe(100);
  });
});
