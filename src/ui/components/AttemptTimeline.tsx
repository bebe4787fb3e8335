import type { Attempt } from '../../client';
import { durationText } from '../format';
import { StatusChip } from './StatusChip';
import { Time } from './Time';

/** Enough of a response body to recognise it; the API keeps the first 4 KiB. */
const EXCERPT_CHARS = 600;

/** Every attempt, the latest first, with what the receiver answered or why it failed. */
export function AttemptTimeline({ attempts }: { attempts: Attempt[] }) {
  return (
    <section aria-labelledby="attempts-title">
      <h2 id="attempts-title">Attempts</h2>
      {attempts.length === 0 ? (
        <p>No attempt yet.</p>
      ) : (
        <ol class="timeline" reversed>
          {[...attempts].reverse().map((attempt) => (
            <li key={attempt.number} class={`attempt attempt-${attempt.outcome}`}>
              <AttemptEntry attempt={attempt} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function AttemptEntry({ attempt }: { attempt: Attempt }) {
  const body = attempt.responseBody;
  return (
    <article>
      <header>
        <strong>Attempt {attempt.number}</strong> <StatusChip value={attempt.outcome} />{' '}
        {attempt.statusCode !== undefined && <span class="status-code">HTTP {attempt.statusCode}</span>}
      </header>
      <dl class="facts">
        <dt>Started</dt>
        <dd>
          <Time iso={attempt.startedAt} />
        </dd>
        <dt>Took</dt>
        <dd>{durationText(attempt.durationMs)}</dd>
        {attempt.ackDeadline && (
          <>
            <dt>{attempt.outcome === 'async_pending' ? 'Ack expected by' : 'Ack deadline'}</dt>
            <dd>
              <Time iso={attempt.ackDeadline} />
            </dd>
          </>
        )}
        {attempt.error && (
          <>
            <dt>Error</dt>
            <dd class="error-text">{attempt.error}</dd>
          </>
        )}
      </dl>
      {body && (
        <details>
          <summary>Response body</summary>
          <pre>
            <code>{body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body}</code>
          </pre>
        </details>
      )}
      {attempt.nackBody && (
        <details open>
          <summary>Nack body</summary>
          <pre>
            <code>{attempt.nackBody}</code>
          </pre>
        </details>
      )}
    </article>
  );
}
