import { useLocation } from 'preact-iso';
import type { ListHooksQuery } from '../../client';
import { instantOf, localInputOf } from '../format';
import { HOOK_STATUSES, isHookStatus } from '../hook-status';

type TimeFilter = 'postAtAfter' | 'postAtBefore' | 'createdAfter' | 'createdBefore';

const RANGES: { legend: string; from: TimeFilter; to: TimeFilter }[] = [
  { legend: 'Due', from: 'postAtAfter', to: 'postAtBefore' },
  { legend: 'Created', from: 'createdAfter', to: 'createdBefore' },
];
const TIME_FILTERS = RANGES.flatMap(({ from, to }) => [from, to]);

/**
 * The filters of a hooks page's URL, which can be bookmarked and Back goes through. A URL is typed by
 * hand too: an unknown status or a time that is no time is left out, so that the page still shows the list.
 */
export function filterOf(query: Record<string, string>): ListHooksQuery {
  const statuses = (query.status ?? '').split(',').filter(isHookStatus);
  const filter: ListHooksQuery = {};
  if (statuses.length > 0) filter.status = statuses;
  if (query.pathPrefix) filter.pathPrefix = query.pathPrefix;
  for (const field of TIME_FILTERS) {
    const instant = instantOf(query[field] ?? '');
    if (instant) filter[field] = instant;
  }
  return filter;
}

function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

/**
 * Status, path prefix and time ranges, applied by putting them in the URL. Times are entered in the browser's
 * time zone and sent as instants.
 */
export function HookFilters({ filter }: { filter: ListHooksQuery }) {
  const { route, url } = useLocation();
  const statuses: readonly string[] =
    typeof filter.status === 'string' ? [filter.status] : (filter.status ?? []);

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const params = new URLSearchParams();
    const checked = form.getAll('status').map(String);
    if (checked.length > 0) params.set('status', checked.join(','));
    const prefix = textOf(form, 'pathPrefix').trim();
    if (prefix) params.set('pathPrefix', prefix);
    for (const field of TIME_FILTERS) {
      const instant = instantOf(textOf(form, field));
      if (instant) params.set(field, instant);
    }
    const search = params.toString();
    route(search ? `/ui/hooks?${search}` : '/ui/hooks');
  };

  return (
    <details class="filters" open>
      <summary>Filters</summary>
      {/* Keyed by the URL: Back and a cleared filter show the fields as the URL has them. */}
      <form key={url} onSubmit={apply}>
        <fieldset class="statuses">
          <legend>Status</legend>
          {HOOK_STATUSES.map((status) => (
            <label key={status}>
              <input
                type="checkbox"
                name="status"
                value={status}
                defaultChecked={statuses.includes(status)}
              />
              {status}
            </label>
          ))}
        </fieldset>
        <label>
          Path prefix
          <input
            type="text"
            name="pathPrefix"
            placeholder="/orders/"
            defaultValue={filter.pathPrefix ?? ''}
          />
        </label>
        <div class="grid">
          {RANGES.map(({ legend, from, to }) => (
            <fieldset key={legend}>
              <legend>{legend}</legend>
              <div class="grid">
                {(
                  [
                    ['from', from],
                    ['until', to],
                  ] as const
                ).map(([word, field]) => (
                  <label key={field}>
                    {word}
                    <input
                      type="datetime-local"
                      name={field}
                      defaultValue={filter[field] ? localInputOf(filter[field]) : ''}
                    />
                  </label>
                ))}
              </div>
            </fieldset>
          ))}
        </div>
        <div class="form-actions">
          <button type="submit">Apply filters</button>
          <a href="/ui/hooks" role="button" class="secondary outline">
            Clear
          </a>
        </div>
      </form>
    </details>
  );
}
