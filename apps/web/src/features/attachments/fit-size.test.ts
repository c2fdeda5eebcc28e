import { describe, expect, it } from 'vitest';
import { fitInside } from './fit-size';

describe('fitInside (the 400×300 box of an image in the list)', () => {
  it('scales a wide image to the box width, keeping its aspect', () => {
    expect(fitInside(1600, 900)).toEqual({ width: 400, height: 225 });
  });

  it('scales a tall image to the box height, keeping its aspect', () => {
    expect(fitInside(1000, 2000)).toEqual({ width: 150, height: 300 });
  });

  it('takes the tighter side when both are over', () => {
    expect(fitInside(800, 800)).toEqual({ width: 300, height: 300 });
  });

  it('never scales a small image up', () => {
    expect(fitInside(120, 80)).toEqual({ width: 120, height: 80 });
    expect(fitInside(400, 300)).toEqual({ width: 400, height: 300 });
  });

  it('keeps a sliver at least one pixel thick', () => {
    expect(fitInside(10_000, 1)).toEqual({ width: 400, height: 1 });
  });

  it('answers nothing for a size that is not one', () => {
    expect(fitInside(0, 100)).toEqual({ width: 0, height: 0 });
    expect(fitInside(Number.NaN, 100)).toEqual({ width: 0, height: 0 });
  });

  it('fits another box when given one', () => {
    expect(fitInside(1920, 1080, { width: 480, height: 300 })).toEqual({ width: 480, height: 270 });
  });
});
