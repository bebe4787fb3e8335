import type { MinuteActivity, Overview } from '../../client';
import { Chart } from '../components/Chart';
import { ErrorNotice } from '../components/ErrorNotice';
import { StatusChip } from '../components/StatusChip';
import { Time } from '../components/Time';
import { durationText, percentText } from '../format';
import { HOOK_STATUSES } from '../hook-status';
import { usePolling } from '../polling';
import { useSession } from '../session';

const REFRESH_MS = 10_000;

export function OverviewPage() {
  const { client } = useSession();
  const overview = usePolling(() => client.overview(), REFRESH_MS, []);
  return (
    <>
      <h1>Overview</h1>
      <ErrorNotice error={overview.error} doing="load the overview" />
      {overview.data ? <OverviewBody overview={overview.data} /> : <p aria-busy="true">Loading…</p>}
    </>
  );
}

function OverviewBody({ overview }: { overview: Overview }) {
  const { counts, overdue, perMinute, endpointsInTrouble } = overview;
  return (
    <>
      <section aria-labelledby="counts-title">
        <h2 id="counts-title">Hooks by status</h2>
        <ul class="counts">
          {HOOK_STATUSES.map((status) => (
            <li key={status}>
              <a href={`/ui/hooks?status=${status}`}>
                <span class="count">{counts[status]}</span> <StatusChip value={status} />
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="overdue-title">
        <h2 id="overdue-title">Overdue</h2>
        {overdue.oldest ? (
          <p>
            {overdue.count} unfinished {overdue.count === 1 ? 'hook is' : 'hooks are'} past due. The oldest,{' '}
            <a href={`/ui/hooks/${encodeURIComponent(overdue.oldest.id)}`}>
              <code>{overdue.oldest.id}</code>
            </a>
            , was due <Time iso={overdue.oldest.nextAttemptAt ?? overdue.oldest.postAt} relative />.
          </p>
        ) : (
          <p>No hook is past due: the workers are keeping up.</p>
        )}
      </section>
      {overview.endpointTracking ? (
        <LastHour minutes={perMinute} />
      ) : (
        <p>Per-minute figures come from endpoint tracking, which is off for this project.</p>
      )}
      <section aria-labelledby="trouble-title">
        <h2 id="trouble-title">Endpoints in trouble</h2>
        {endpointsInTrouble.length === 0 ? (
          <p>None: every endpoint is active and healthy.</p>
        ) : (
          <ul class="trouble">
            {endpointsInTrouble.map((endpoint) => (
              <li key={endpoint.id}>
                <a href="/ui/endpoints">{endpoint.url}</a> <StatusChip value={endpoint.state} />{' '}
                <StatusChip value={endpoint.health} /> {percentText(endpoint.stats.lastHour.successRate)}{' '}
                success in the last hour
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function LastHour({ minutes }: { minutes: MinuteActivity[] }) {
  const times = minutes.map((minute) => Date.parse(minute.start) / 1000);
  const attempts = minutes.map((minute) => minute.attempts);
  const failures = minutes.map((minute) => minute.failures);
  const worstLateness = Math.max(0, ...minutes.map((minute) => minute.latenessMaxMs ?? 0));
  return (
    <section aria-labelledby="hour-title">
      <h2 id="hour-title">The last hour</h2>
      <div class="grid">
        <figure>
          <Chart
            times={times}
            height={180}
            series={[
              { label: 'attempts', colorVar: '--chart-attempts', values: attempts },
              { label: 'failures', colorVar: '--chart-failures', values: failures },
            ]}
          />
          <figcaption>
            Attempts and failures per minute: {sum(attempts)} attempts, {sum(failures)} failed.
          </figcaption>
        </figure>
        <figure>
          <Chart
            times={times}
            height={180}
            unit={durationText}
            series={[
              {
                label: 'average',
                colorVar: '--chart-attempts',
                values: minutes.map((minute) => minute.latenessAvgMs),
              },
              {
                label: 'worst',
                colorVar: '--chart-failures',
                values: minutes.map((minute) => minute.latenessMaxMs),
              },
            ]}
          />
          <figcaption>
            How late first attempts started after their due time: at worst {durationText(worstLateness)}.
          </figcaption>
        </figure>
      </div>
    </section>
  );
}
