import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { HookDetail, HookStatus } from '../../client';
import { instantOf, localInputOf, localText } from '../format';
import { actionApplies } from '../hook-status';
import { useSession } from '../session';
import { ConfirmAction } from './ConfirmAction';

export interface ActionOutcome {
  text: string;
  /** Where the result can be seen, when it is another page (a replay is a new hook). */
  link?: string;
}

interface HookAction {
  applies: (status: HookDetail['status']) => boolean;
  label: string;
  title: string;
  confirmLabel: string;
  tone?: 'secondary' | 'contrast';
  explanation: ComponentChildren;
  run: () => Promise<ActionOutcome>;
}

/** The operations the hook's status allows, each confirmed in a dialog first. */
export function HookActions({
  hook,
  onDone,
}: {
  hook: HookDetail;
  onDone: (outcome: ActionOutcome) => void;
}) {
  const { client } = useSession();
  const [dueAt, setDueAt] = useState(() => localInputOf(hook.postAt));
  const actions: HookAction[] = [
    {
      applies: (status: HookStatus) => actionApplies('retry', status),
      label: 'Retry',
      title: 'Retry this hook?',
      confirmLabel: 'Retry now',
      explanation: (
        <p>
          The hook gets a new delivery cycle with its full retry policy. Its id stays the same, so the
          receiver can still deduplicate on <code>webhook-id</code>.
        </p>
      ),
      run: async () => {
        await client.hooks.retry(hook.id);
        return { text: 'Retried: a new delivery cycle has started under the same id.' };
      },
    },
    {
      applies: (status: HookStatus) => actionApplies('replay', status),
      label: 'Replay',
      title: 'Replay this hook?',
      confirmLabel: 'Replay now',
      explanation: (
        <p>A new hook with the same target and data is created, due now. This one is left as it is.</p>
      ),
      run: async () => {
        const copy = await client.hooks.replay(hook.id);
        return { text: `Replayed as ${copy.id}.`, link: `/ui/hooks/${encodeURIComponent(copy.id)}` };
      },
    },
    {
      applies: (status: HookStatus) => actionApplies('reschedule', status),
      label: 'Reschedule',
      title: 'Reschedule this hook',
      confirmLabel: 'Reschedule',
      tone: 'secondary',
      explanation: (
        <label>
          New due time (your time zone)
          <input
            type="datetime-local"
            name="postAt"
            required
            value={dueAt}
            onInput={(event) => {
              setDueAt(event.currentTarget.value);
            }}
          />
        </label>
      ),
      run: async () => {
        const postAt = instantOf(dueAt);
        if (!postAt) throw new Error('Enter the new due date and time.');
        const moved = await client.hooks.reschedule(hook.id, { postAt });
        return { text: `Rescheduled: now due ${localText(moved.postAt)}.` };
      },
    },
    {
      applies: (status: HookStatus) => actionApplies('cancel', status),
      label: 'Cancel hook',
      title: 'Cancel this hook?',
      confirmLabel: 'Cancel the hook',
      tone: 'contrast',
      explanation: <p>No further attempt is made. A cancelled hook can be replayed later as a new hook.</p>,
      run: async () => {
        await client.hooks.cancel(hook.id);
        return { text: 'Cancelled: no further attempt will be made.' };
      },
    },
  ];
  const available = actions.filter((action) => action.applies(hook.status));
  if (available.length === 0) return null;

  return (
    <div class="actions">
      {available.map(({ label, title, confirmLabel, tone, explanation, run }) => (
        <ConfirmAction
          key={label}
          label={label}
          title={title}
          confirmLabel={confirmLabel}
          tone={tone}
          run={async () => {
            onDone(await run());
          }}
        >
          {explanation}
        </ConfirmAction>
      ))}
    </div>
  );
}
