import { localText, relativeText, utcText } from '../format';

/** An instant in the browser's time zone, with its UTC form on hover and for machines. */
export function Time({ iso, relative = false }: { iso: string; relative?: boolean }) {
  return (
    <time dateTime={iso} title={utcText(iso)}>
      {relative ? relativeText(iso) : localText(iso)}
    </time>
  );
}
