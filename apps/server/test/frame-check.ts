import { afterEach, expect } from 'vitest';
import { framesOutsideContract } from './ws-client.js';

// Every frame a test socket receives is parsed by the contract's schemas; none may fail.
afterEach(() => {
  const found = framesOutsideContract.splice(0);
  expect(found, 'frames the server sent outside the contract').toEqual([]);
});
