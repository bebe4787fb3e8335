/**
 * A short state word in a coloured chip. The word carries the meaning; the colour only helps scanning, so
 * nothing depends on telling colours apart.
 */
export function StatusChip({ value }: { value: string }) {
  return <span class={`chip chip-${value}`}>{value.replace('_', ' ')}</span>;
}
