/**
 * What every JSON input must satisfy before any schema looks at it (REST bodies and gateway
 * frames alike): nesting at most `maxDepth` deep, and only well-formed strings. A lone UTF-16
 * surrogate (`"\ud800"`) is valid JSON but not text: PostgreSQL and every encoder replace it,
 * so two different inputs would be stored as one. Returns why the value is refused, or undefined.
 */
export function jsonInputProblem(value: unknown, maxDepth: number): string | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const v = item.value;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return 'Strings must be well-formed Unicode (no lone surrogates).';
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (item.depth >= maxDepth) return `JSON may nest at most ${maxDepth} levels deep.`;
    if (Array.isArray(v)) {
      for (const x of v) stack.push({ value: x, depth: item.depth + 1 });
      continue;
    }
    for (const [key, x] of Object.entries(v)) {
      if (!key.isWellFormed()) return 'Strings must be well-formed Unicode (no lone surrogates).';
      stack.push({ value: x, depth: item.depth + 1 });
    }
  }
  return undefined;
}
