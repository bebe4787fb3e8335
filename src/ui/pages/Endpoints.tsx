import { useState } from 'preact/hooks';
import type { Endpoint } from '../../client';
import { Chart } from '../components/Chart';
import { ConfirmAction } from '../components/ConfirmAction';
import { ErrorNotice } from '../components/ErrorNotice';
import { Pager, useCursorPages } from '../components/Pager';
import { StatusChip } from '../components/StatusChip';
import { Time } from '../components/Time';
import { durationText, percentText } from '../format';
import { usePolling } from '../polling';
import { useSession } from '../session';

const REFRESH_MS = 10_000;
/** Each row draws a chart: a page of them stays quick to render. */
const PAGE_SIZE = 50;

/** Each hour's success rate; an hour without attempts is a gap, not a 0. */
function hourlySuccess(endpoint: Endpoint): { times: number[]; rates: (number | null)[] } {
  const hours = endpoint.stats.hourly;
  return {
    times: hours.map((hour) => Date.parse(hour.start) / 1000),
    rates: hours.map((hour) => (hour.attempts === 0 ? null : 1 - hour.failures / hour.attempts)),
  };
}

export function EndpointsPage() {
  const { client } = useSession();
  const pages = useCursorPages();
  const { cursor } = pages;
  const endpoints = usePolling(
    () => client.endpoints.list({ sort: 'failureRate', limit: PAGE_SIZE, cursor }),
    REFRESH_MS,
    [cursor],
  );
  const [outcome, setOutcome] = useState('');
  const list = endpoints.data?.data ?? [];

  return (
    <>
      <h1>Endpoints</h1>
      <p>Where this project's hooks go, the worst first. Health counts the last hour and the last day.</p>
      <ErrorNotice error={endpoints.error} doing="list the endpoints" />
      <p role="status" class="notice">
        {outcome}
      </p>
      <div class="table-scroll" aria-busy={endpoints.loading && !endpoints.data}>
        <table class="striped endpoints">
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">State</th>
              <th scope="col">Health</th>
              <th scope="col">Success, last hour</th>
              <th scope="col">Success, last day</th>
              <th scope="col">p95, last hour</th>
              <th scope="col">Last 24 hours</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((endpoint) => (
              <EndpointRow
                key={endpoint.id}
                endpoint={endpoint}
                onChanged={(text) => {
                  setOutcome(text);
                  endpoints.reload();
                }}
              />
            ))}
          </tbody>
        </table>
        {endpoints.data && list.length === 0 && (
          <p>No endpoint yet: one appears when a hook is first attempted there.</p>
        )}
      </div>
      <Pager pages={pages} nextCursor={endpoints.data?.nextCursor} />
    </>
  );
}

/** The endpoint's limits and what is in flight, in words; empty without limits. */
function limitsText({ limits, inFlight }: Endpoint): string {
  const parts = [
    ...(limits.ratePerSecond > 0 ? [`at most ${limits.ratePerSecond}/s`] : []),
    ...(limits.maxInFlight > 0 ? [`${inFlight} of ${limits.maxInFlight} in flight`] : []),
  ];
  return parts.length > 0 ? `Limited: ${parts.join(', ')}` : '';
}

function EndpointRow({ endpoint, onChanged }: { endpoint: Endpoint; onChanged: (text: string) => void }) {
  const { client } = useSession();
  const [note, setNote] = useState('');
  const { lastHour, lastDay } = endpoint.stats;
  const hourly = hourlySuccess(endpoint);
  const active = endpoint.state === 'active';

  return (
    <tr>
      <th scope="row" class="target">
        {endpoint.url}
        {endpoint.stateNote && <small class="note">{endpoint.stateNote}</small>}
        {endpoint.heldHooks > 0 && <small class="note">{endpoint.heldHooks} hooks held</small>}
        {limitsText(endpoint) && <small class="note">{limitsText(endpoint)}</small>}
        {endpoint.batch && (
          <small class="note">
            Batching: up to {endpoint.batch.maxSize} hooks a request, within {endpoint.batch.windowSecs} s
          </small>
        )}
        {endpoint.throttledUntil && (
          <small class="note">
            Backing off (Retry-After) until <Time iso={endpoint.throttledUntil} />
          </small>
        )}
      </th>
      <td>
        <StatusChip value={endpoint.state} />
        <br />
        <small>
          since <Time iso={endpoint.stateChangedAt} relative />
        </small>
      </td>
      <td>
        <StatusChip value={endpoint.health} />
        {endpoint.healthReasons.map((reason) => (
          <small key={reason} class="note">
            {reason}
          </small>
        ))}
      </td>
      <td>
        {percentText(lastHour.successRate)} <small>of {lastHour.attempts}</small>
      </td>
      <td>
        {percentText(lastDay.successRate)} <small>of {lastDay.attempts}</small>
      </td>
      <td>{lastHour.latencyP95Ms === null ? '–' : durationText(lastHour.latencyP95Ms)}</td>
      <td>
        <Chart
          times={hourly.times}
          series={[{ label: 'success rate', colorVar: '--chart-success', values: hourly.rates }]}
          height={36}
          spark
        />
        <span class="visually-hidden">
          Hourly success rate over the last 24 hours: {hourly.rates.filter((rate) => rate !== null).length}{' '}
          hours with attempts.
        </span>
      </td>
      <td>
        {active ? (
          <ConfirmAction
            label="Pause"
            title={`Pause ${endpoint.url}?`}
            confirmLabel="Pause"
            tone="secondary"
            run={async () => {
              await client.endpoints.pause(endpoint.id, note.trim() ? { note: note.trim() } : {});
              setNote('');
              onChanged(`Paused ${endpoint.url}: its hooks wait until it is resumed.`);
            }}
          >
            <p>Hooks that come due wait, without spending an attempt, until the endpoint is resumed.</p>
            <label>
              Note (optional)
              <input
                type="text"
                name="note"
                maxLength={500}
                placeholder="Receiver under maintenance"
                value={note}
                onInput={(event) => {
                  setNote(event.currentTarget.value);
                }}
              />
            </label>
          </ConfirmAction>
        ) : (
          <ConfirmAction
            label="Resume"
            title={`Resume ${endpoint.url}?`}
            confirmLabel="Resume"
            run={async () => {
              await client.endpoints.resume(endpoint.id);
              onChanged(`Resumed ${endpoint.url}: held hooks are released in due order.`);
            }}
          >
            <p>
              The endpoint becomes active again. Its {endpoint.heldHooks} held hooks are released one at a
              time, in due order.
            </p>
          </ConfirmAction>
        )}
      </td>
    </tr>
  );
}
