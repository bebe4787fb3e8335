import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { HookrelayApiError, type HookDetail } from '../../client';
import { AttemptTimeline } from '../components/AttemptTimeline';
import { ErrorNotice } from '../components/ErrorNotice';
import { type ActionOutcome, HookActions } from '../components/HookActions';
import { SignedRequest } from '../components/SignedRequest';
import { StatusChip } from '../components/StatusChip';
import { Time } from '../components/Time';
import { BROWSER_TIME_ZONE, prettyJson, utcText } from '../format';
import { usePolling } from '../polling';
import { useSession } from '../session';

/** Often enough to watch an attempt land, seldom enough to cost nothing. */
const REFRESH_MS = 3000;

/** Why a hook waits for its endpoint, in words. */
const WAIT_REASONS = {
  limited: 'at its rate or concurrency limit, or backing off',
  paused: 'paused',
  disabled: 'disabled',
} as const;

export function HookPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  // The router keeps this page when only the id changes (as "Open it" after a replay does): keyed by the
  // id, nothing of one hook's page, its figures or an action's outcome, is left on another's.
  return <HookView key={id} id={id} />;
}

function HookView({ id }: { id: string }) {
  const { client } = useSession();
  const hook = usePolling(() => client.hooks.get(id), REFRESH_MS, [id]);
  const [outcome, setOutcome] = useState<ActionOutcome>();

  if (hook.error instanceof HookrelayApiError && hook.error.status === 404) {
    return (
      <>
        <h1>Hook not found</h1>
        <p role="alert">
          This project has no hook <code>{id}</code>. <a href="/ui/hooks">Back to the hooks</a>
        </p>
      </>
    );
  }
  return (
    <>
      <p>
        <a href="/ui/hooks">← Hooks</a>
      </p>
      <h1 class="hook-title">
        Hook <code>{id}</code> {hook.data && <StatusChip value={hook.data.status} />}
      </h1>
      <ErrorNotice error={hook.error} doing="load the hook" />
      <p role="status" class="notice">
        {outcome?.text} {outcome?.link && <a href={outcome.link}>Open it</a>}
      </p>
      {hook.data ? (
        <>
          <HookActions
            // Its fields (the new due time) are this hook's.
            key={hook.data.id}
            hook={hook.data}
            onDone={(result) => {
              setOutcome(result);
              hook.reload();
            }}
          />
          <HookFacts hook={hook.data} />
          <section aria-labelledby="data-title">
            <h2 id="data-title">Data</h2>
            <pre>
              <code>{prettyJson(hook.data.data)}</code>
            </pre>
          </section>
          <AttemptTimeline attempts={hook.data.attemptHistory} />
          <SignedRequest request={hook.data.request} />
        </>
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
    </>
  );
}

function HookFacts({ hook }: { hook: HookDetail }) {
  return (
    <section aria-labelledby="facts-title">
      <h2 id="facts-title" class="visually-hidden">
        Details
      </h2>
      <dl class="facts">
        <dt>Target</dt>
        <dd>
          <code class="target">POST {hook.targetUrl}</code>
        </dd>
        <dt>Due</dt>
        <dd>
          {utcText(hook.postAt)}
          <br />
          <Time iso={hook.postAt} /> ({BROWSER_TIME_ZONE})
        </dd>
        {hook.nextAttemptAt && (
          <>
            <dt>Next attempt</dt>
            <dd>
              <Time iso={hook.nextAttemptAt} relative />
            </dd>
          </>
        )}
        <dt>Attempts</dt>
        <dd>
          {hook.attempts}
          {hook.async && ' (async: waits for an ack)'}
        </dd>
        {hook.batch && (
          <>
            <dt>Batch</dt>
            <dd>
              key <code>{hook.batch.key}</code>
              {hook.batch.batchId ? (
                <>
                  , sent as <code>{hook.batch.batchId}</code>
                </>
              ) : (
                ', not sent yet'
              )}
            </dd>
          </>
        )}
        {hook.failureError && (
          <>
            <dt>Failed because</dt>
            <dd>{hook.failureError}</dd>
          </>
        )}
        {hook.endpoint && (
          <>
            <dt>Endpoint</dt>
            <dd>
              <a href="/ui/endpoints">{hook.endpoint.url}</a> <StatusChip value={hook.endpoint.state} />
              {hook.waiting && (
                <small class="note">
                  Waiting for its endpoint ({WAIT_REASONS[hook.waiting.reason]}) since{' '}
                  <Time iso={hook.waiting.since} relative />
                </small>
              )}
            </dd>
          </>
        )}
        <dt>Created</dt>
        <dd>
          <Time iso={hook.createdAt} />
        </dd>
        {hook.links.temporalUi && (
          <>
            <dt>History</dt>
            <dd>
              <a href={hook.links.temporalUi} target="_blank" rel="noopener noreferrer">
                Workflow history in the Temporal Web UI
              </a>
            </dd>
          </>
        )}
        {hook.completedAt && (
          <>
            <dt>Finished</dt>
            <dd>
              <Time iso={hook.completedAt} />
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
