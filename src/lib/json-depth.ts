/**
 * Whether `value` nests arrays and objects more than `limit` levels deep (a scalar is 0 levels deep,
 * `[]` and `{}` are 1). It walks without recursion, so that no depth can exhaust the stack, and stops at
 * the first value too deep.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    const depth = next.depth + 1;
    if (depth > limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth });
  }
  return false;
}
