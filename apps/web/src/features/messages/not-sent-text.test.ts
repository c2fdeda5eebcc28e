import { describe, expect, it } from 'vitest';
import { notSentText } from './not-sent-text';

describe('notSentText', () => {
  it('ends in one period whatever the reason ends with', () => {
    expect(notSentText('You can only message your friends.')).toBe(
      'Not sent: You can only message your friends.',
    );
    expect(notSentText('Slow down')).toBe('Not sent: Slow down.');
    expect(notSentText(undefined)).toBe('Not sent.');
  });
});
