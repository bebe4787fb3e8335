import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';

/** Jumps straight to one hook by its id, as a receiver's `webhook-id` header or a log line shows it. */
export function HookSearch() {
  const { route } = useLocation();
  const [id, setId] = useState('');
  return (
    <form
      role="search"
      class="hook-search"
      onSubmit={(event) => {
        event.preventDefault();
        if (id.trim()) route(`/ui/hooks/${encodeURIComponent(id.trim())}`);
      }}
    >
      <fieldset role="group">
        <input
          type="search"
          name="hookId"
          placeholder="hk_…"
          aria-label="Hook id"
          value={id}
          onInput={(event) => {
            setId(event.currentTarget.value);
          }}
        />
        <button type="submit">Open hook</button>
      </fieldset>
    </form>
  );
}
