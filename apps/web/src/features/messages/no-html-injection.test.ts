// @vitest-environment node
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

it('no source file injects HTML or inline styles elements', () => {
  const forbidden = [
    'dangerously' + 'SetInnerHTML',
    '.inner' + 'HTML',
    'outer' + 'HTML',
    'insertAdjacent' + 'HTML',
    '<st' + 'yle',
  ];
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const word of forbidden) expect(text.includes(word), `${word} in ${file}`).toBe(false);
  }
});
