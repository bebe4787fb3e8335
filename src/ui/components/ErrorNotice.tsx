import { messageOf } from '../session';

/** An error the page met, read out by screen readers as it appears. */
export function ErrorNotice({ error, doing }: { error: unknown; doing: string }) {
  if (error === undefined) return null;
  return (
    <p role="alert" class="notice notice-error">
      Could not {doing}: {messageOf(error)}
    </p>
  );
}
