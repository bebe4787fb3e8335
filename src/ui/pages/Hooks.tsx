import { useLocation } from 'preact-iso';
import type { ListHooksQuery } from '../../client';
import { ErrorNotice } from '../components/ErrorNotice';
import { filterOf, HookFilters } from '../components/HookFilters';
import { HookSearch } from '../components/HookSearch';
import { Pager, useCursorPages } from '../components/Pager';
import { StatusChip } from '../components/StatusChip';
import { Time } from '../components/Time';
import { usePolling } from '../polling';
import { useSession } from '../session';

const PAGE_SIZE = 25;
const REFRESH_MS = 5000;

export function HooksPage() {
  const { query, url } = useLocation();
  const filter = filterOf(query);
  return (
    <>
      <h1>Hooks</h1>
      <HookSearch />
      <HookFilters filter={filter} />
      {/* A new filter starts again at the first page. */}
      <HookTable key={url} filter={filter} />
    </>
  );
}

function HookTable({ filter }: { filter: ListHooksQuery }) {
  const { client } = useSession();
  const pages = useCursorPages();
  const { cursor } = pages;
  const page = usePolling(() => client.hooks.list({ ...filter, limit: PAGE_SIZE, cursor }), REFRESH_MS, [
    cursor,
  ]);
  const hooks = page.data?.data ?? [];

  return (
    <section aria-labelledby="hook-list-title">
      <h2 id="hook-list-title" class="visually-hidden">
        Matching hooks
      </h2>
      <ErrorNotice error={page.error} doing="list the hooks" />
      <div class="table-scroll" aria-busy={page.loading && !page.data}>
        <table class="striped">
          <caption class="visually-hidden">
            Hooks, newest first, page {pages.number}; refreshed every {REFRESH_MS / 1000} seconds
          </caption>
          <thead>
            <tr>
              <th scope="col">Hook</th>
              <th scope="col">Status</th>
              <th scope="col">Target</th>
              <th scope="col">Due</th>
              <th scope="col">Attempts</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {hooks.map((hook) => (
              <tr key={hook.id}>
                <td>
                  <a href={`/ui/hooks/${encodeURIComponent(hook.id)}`}>
                    <code>{hook.id}</code>
                  </a>
                </td>
                <td>
                  <StatusChip value={hook.status} />
                </td>
                <td class="target">{hook.path ?? hook.url}</td>
                <td>
                  <Time iso={hook.postAt} />
                </td>
                <td>{hook.attempts}</td>
                <td>
                  <Time iso={hook.createdAt} relative />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.data && hooks.length === 0 && <p>No hook matches these filters.</p>}
      </div>
      <Pager pages={pages} nextCursor={page.data?.nextCursor} />
    </section>
  );
}
