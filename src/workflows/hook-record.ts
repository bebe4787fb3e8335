import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
  type TypedSearchAttributes,
} from '@temporalio/common';
import type { CallbackMemo } from '../domain/async-ack';
import type { Attempt, HookState, HookStatus, HookSummary, HookWorkflowInput } from '../domain/hook';

/**
 * The hook record that Temporal keeps: its workflow id, the search attributes that list and filter hooks
 * on visibility, and the memo that carries what a reader needs without a worker. This module is the only
 * encoder and decoder of that record; the client writes it at start, the workflow at each change, and
 * every reader decodes it here. Pure: the workflow imports it.
 *
 * A hook's full state is read without a worker from three records: the memo (its fixed facts and its
 * current state), the workflow input in the history's first event (its data), and the history's memo
 * changes, each of which carries the attempt it was made for (the attempt history, in order).
 */

// --- Workflow ids --------------------------------------------------------------------------------------

const WORKFLOW_ID_PREFIX = 'hook';

/** The project is part of the workflow id, so one project can never reach another's hook. */
export function hookWorkflowId(projectId: string, hookId: string): string {
  return `${WORKFLOW_ID_PREFIX}:${projectId}:${hookId}`;
}

/** The project and hook a workflow id names; project ids cannot contain ':' (see the config schema). */
export function parseHookWorkflowId(workflowId: string): { projectId: string; hookId: string } {
  const [prefix, projectId, hookId, ...rest] = workflowId.split(':');
  if (prefix !== WORKFLOW_ID_PREFIX || !projectId || !hookId || rest.length > 0) {
    throw new Error(`"${workflowId}" is not a hook workflow id`);
  }
  return { projectId, hookId };
}

// --- Search attributes ----------------------------------------------------------------------------------

/**
 * Custom search attributes every hook workflow carries, so that listing and filtering run on Temporal
 * visibility without a database of our own. The dev server registers them at start-up; a production
 * namespace needs them registered once (`temporal operator search-attribute create`).
 */
const HookProject = defineSearchAttributeKey('HookProject', SearchAttributeType.KEYWORD);
const HookStatusKey = defineSearchAttributeKey('HookStatus', SearchAttributeType.KEYWORD);
const HookPath = defineSearchAttributeKey('HookPath', SearchAttributeType.KEYWORD);
const HookAttempts = defineSearchAttributeKey('HookAttempts', SearchAttributeType.INT);
const HookPostAt = defineSearchAttributeKey('HookPostAt', SearchAttributeType.DATETIME);
const HookCreatedAt = defineSearchAttributeKey('HookCreatedAt', SearchAttributeType.DATETIME);
const HookNextAttemptAt = defineSearchAttributeKey('HookNextAttemptAt', SearchAttributeType.DATETIME);

export const HOOK_SEARCH_ATTRIBUTES = [
  HookProject,
  HookStatusKey,
  HookPath,
  HookAttempts,
  HookPostAt,
  HookCreatedAt,
  HookNextAttemptAt,
] as const;

/** The indexed fields of a hook; the rest of its summary is fixed at start and kept in the memo. */
type IndexedField = 'status' | 'attempts' | 'postAt' | 'createdAt' | 'nextAttemptAt';
type SummaryMemo = Pick<
  HookSummary,
  'path' | 'url' | 'targetUrl' | 'async' | 'retryOverride' | 'batch' | 'schedule'
>;

/**
 * Compile-time guard: every field of a hook's summary (HookState but its details) is either indexed, in
 * the summary memo, or derived from the workflow itself. A new field fails to compile here, by name, until it has a place.
 */
type UnplacedField = Exclude<keyof HookSummary, IndexedField | keyof SummaryMemo | 'id' | 'completedAt'>;
const _everyFieldHasAPlace: [UnplacedField] extends [never] ? true : UnplacedField = true;

/** The searchable part of a hook's record; unset optional fields clear their attribute. */
export function hookSearchAttributes(projectId: string, hook: HookSummary): SearchAttributeUpdatePair[] {
  return [
    { key: HookProject, value: projectId },
    { key: HookStatusKey, value: hook.status },
    { key: HookPath, value: hook.path ?? hook.url ?? '' },
    { key: HookAttempts, value: hook.attempts },
    { key: HookPostAt, value: new Date(hook.postAt) },
    { key: HookCreatedAt, value: new Date(hook.createdAt) },
    { key: HookNextAttemptAt, value: hook.nextAttemptAt === undefined ? null : new Date(hook.nextAttemptAt) },
  ];
}

/** The attribute that scopes a record to its project. */
export function projectSearchAttribute(projectId: string): SearchAttributePair {
  return { key: HookProject, value: projectId };
}

/** Visibility queries name attributes by these; the query builder uses nothing else. */
export const SEARCH_ATTRIBUTE_NAMES = {
  project: HookProject.name,
  status: HookStatusKey.name,
  path: HookPath.name,
  postAt: HookPostAt.name,
  createdAt: HookCreatedAt.name,
  nextAttemptAt: HookNextAttemptAt.name,
} as const;

// --- Memo ----------------------------------------------------------------------------------------------

const MEMO_KEYS = {
  /** The fixed facts of the hook, so that a list page needs no call per hook. */
  summary: 'hook',
  /** The fingerprint of the request that created it under an Idempotency-Key. */
  requestHash: 'requestHash',
  /** Where the latest async attempt stands (see CallbackMemo). */
  callback: 'callback',
  /** The hook's changing state, as of its latest status change (hooks that publish their state). */
  state: 'state',
  /** The latest attempt as of that change; the history's memo changes keep every earlier one. */
  attempt: 'attempt',
} as const;

type Memo = Record<string, unknown> | undefined;

/** The changing part of a hook's state, published in its memo at every status change. */
type StateMemo = Pick<
  HookState,
  | 'status'
  | 'attempts'
  | 'postAt'
  | 'nextAttemptAt'
  | 'updatedAt'
  | 'completedAt'
  | 'failureError'
  | 'waiting'
  // A batched hook's batch id is known once its batch is sent; the summary memo has only the key.
  | 'batch'
>;

/**
 * Compile-time guard: a worker-free read rebuilds every field of HookState from the summary memo, the
 * state memo, the workflow input (id, data, creation time) or the attempt records.
 */
type UnreadField = Exclude<
  keyof HookState,
  keyof SummaryMemo | keyof StateMemo | 'id' | 'data' | 'createdAt' | 'attemptHistory'
>;
const _everyFieldIsRead: [UnreadField] extends [never] ? true : UnreadField = true;

function stateMemo(hook: HookState): StateMemo {
  return {
    status: hook.status,
    attempts: hook.attempts,
    postAt: hook.postAt,
    nextAttemptAt: hook.nextAttemptAt,
    updatedAt: hook.updatedAt,
    completedAt: hook.completedAt,
    failureError: hook.failureError,
    waiting: hook.waiting,
    ...(hook.batch ? { batch: hook.batch } : {}),
  };
}

/** Everything the client writes when it starts the hook's workflow. */
export function initialHookRecord(
  projectId: string,
  hook: HookState,
  requestHash: string | undefined,
): { memo: Record<string, unknown>; typedSearchAttributes: SearchAttributePair[] } {
  const summary: SummaryMemo = {
    path: hook.path,
    url: hook.url,
    targetUrl: hook.targetUrl,
    async: hook.async,
    retryOverride: hook.retryOverride,
    ...(hook.batch ? { batch: hook.batch } : {}),
    ...(hook.schedule ? { schedule: hook.schedule } : {}),
  };
  return {
    memo: {
      [MEMO_KEYS.summary]: summary,
      [MEMO_KEYS.state]: stateMemo(hook),
      ...(requestHash ? { [MEMO_KEYS.requestHash]: requestHash } : {}),
    },
    typedSearchAttributes: hookSearchAttributes(projectId, hook).filter(
      (pair): pair is SearchAttributePair => pair.value !== null,
    ),
  };
}

/** The memo change a status change publishes: the new state, and the latest attempt as it now stands. */
export function hookStateMemoUpdate(hook: HookState): Record<string, unknown> {
  const latest = hook.attemptHistory.at(-1);
  return { [MEMO_KEYS.state]: stateMemo(hook), ...(latest ? { [MEMO_KEYS.attempt]: latest } : {}) };
}

/** Whether the hook's workflow publishes its state (hooks started before it did, do not). */
export function publishesState(memo: Memo): boolean {
  return memo?.[MEMO_KEYS.state] !== undefined;
}

/** The attempt a memo change published, if it published one. */
export function attemptOfMemoUpdate(update: Memo): Attempt | undefined {
  return update?.[MEMO_KEYS.attempt] as Attempt | undefined;
}

/**
 * The whole hook from its records, with no worker: undefined for a hook whose workflow does not publish
 * its state (started before it did), which only a query can read.
 */
export function hookStateOf(record: {
  memo: Memo;
  input: HookWorkflowInput;
  /** Every attempt a memo change published, in history order; a later record of an attempt wins. */
  publishedAttempts: readonly Attempt[];
}): HookState | undefined {
  const state = record.memo?.[MEMO_KEYS.state] as StateMemo | undefined;
  const summary = record.memo?.[MEMO_KEYS.summary] as SummaryMemo | undefined;
  if (!state || !summary) return undefined;
  const byNumber = new Map(record.publishedAttempts.map((attempt) => [attempt.number, attempt]));
  return {
    id: record.input.hookId,
    ...summary,
    data: record.input.data,
    createdAt: record.input.createdAt,
    ...state,
    attemptHistory: [...byNumber.values()].sort((a, b) => a.number - b.number),
  };
}

/** The memo change that publishes where an async attempt stands. */
export function callbackMemoUpdate(memo: CallbackMemo): Record<string, unknown> {
  return { [MEMO_KEYS.callback]: memo };
}

export function callbackMemoOf(memo: Memo): CallbackMemo | undefined {
  return memo?.[MEMO_KEYS.callback] as CallbackMemo | undefined;
}

export function requestHashOf(memo: Memo): string | undefined {
  return memo?.[MEMO_KEYS.requestHash] as string | undefined;
}

export function hookStatusOf(searchAttributes: TypedSearchAttributes): HookStatus | undefined {
  return searchAttributes.get(HookStatusKey) as HookStatus | undefined;
}

export function nextAttemptAtOf(searchAttributes: TypedSearchAttributes): Date | undefined {
  return searchAttributes.get(HookNextAttemptAt);
}

/** A list entry, from one visibility record: no call to the workflow, no worker needed. */
export function hookSummaryOf(record: {
  workflowId: string;
  memo: Memo;
  searchAttributes: TypedSearchAttributes;
  closeTime?: Date;
}): HookSummary {
  const attributes = record.searchAttributes;
  const summary = record.memo?.[MEMO_KEYS.summary] as SummaryMemo;
  const iso = (date: Date | undefined) => date?.toISOString();
  const nextAttemptAt = iso(attributes.get(HookNextAttemptAt));
  return {
    id: parseHookWorkflowId(record.workflowId).hookId,
    ...summary,
    postAt: iso(attributes.get(HookPostAt)) ?? '',
    status: hookStatusOf(attributes) ?? 'pending',
    attempts: attributes.get(HookAttempts) ?? 0,
    createdAt: iso(attributes.get(HookCreatedAt)) ?? '',
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
    ...(record.closeTime ? { completedAt: record.closeTime.toISOString() } : {}),
  };
}
