import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  type SignalDefinition,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBatchDeliveryActivities } from '../activities/deliver-batch';
import {
  type BatchMember,
  type BatchSettings,
  batchIdFromUuid,
  dataBytesOf,
  flushDueAt,
  type GatheredMember,
  isBatchFull,
  judgeBatchAttempt,
  nextBatchSize,
} from '../domain/batch';
import { attemptDeadlineMs, type DeliveryResult, type HeldByEndpoint } from '../domain/delivery';
import {
  addToBatchSignal,
  type BatchAttemptReport,
  batchAttemptSignal,
  batchLeftSignal,
  type BatchView,
  batchViewQuery,
  leaveBatchSignal,
} from './batch-messages';
import { askEndpointToHold, reportAttemptMade } from './endpoint-passage';
import { attemptFailure, HOLD_FAILED_BACKOFF_MS, HOLD_RECHECK_MS } from './hook-lifecycle';
import { endpointReleasedSignal } from './messages';

type BatchDeliveryActivities = ReturnType<typeof createBatchDeliveryActivities>;

export interface BatchWorkflowInput extends BatchSettings {
  /** Members an earlier run of this batch had gathered but not sent yet, in arrival order. */
  gathered?: GatheredMember[];
}

/** A run continues as new past this many events, between two requests; each request costs a few hundred. */
const MAX_HISTORY_EVENTS = 10_000;

/** The request on its way, or waiting for its next attempt. */
interface Sending {
  batchId: string;
  attempt: number;
  members: BatchMember[];
  /** True while its HTTP attempt runs: a member cannot leave it then. */
  inFlight: boolean;
  /** Members that asked to leave during the attempt in flight; they go once it has its outcome. */
  leaving: Set<string>;
  /**
   * Its outcome is final: it no longer holds its members, and one that joins again at once (a failed
   * hook retried) gathers for the next request.
   */
  done: boolean;
}

/**
 * One batch key of one project and target: gathers members in arrival order and sends them as one
 * request when `maxSize` have gathered or `windowSecs` after the first, retries a failed request as a
 * whole by the batch's retry policy, and tells every member of each attempt. Members that join while a
 * request is on its way gather for the next one. The workflow ends when nothing is left to send, and
 * never with a member it has not sent: everything it holds is workflow state, so a worker that dies
 * loses nothing.
 */
export class BatchGatherer {
  private gathered: GatheredMember[];
  private sending: Sending | undefined;
  private readonly deliverBatch: BatchDeliveryActivities['deliverBatch'];
  /** Set by the batch's endpoint when it lets the held request go, with the slot to send it in. */
  private released = false;
  private releaseSlot: string | undefined;
  /** The endpoint that let the request go, until it is told the attempt was made. */
  private releasedBy: string | undefined;

  constructor(private readonly input: BatchWorkflowInput) {
    this.gathered = input.gathered ?? [];
    this.deliverBatch = proxyActivities<BatchDeliveryActivities>({
      startToCloseTimeout: attemptDeadlineMs(input.deliveryTimeoutMs),
      retry: { maximumAttempts: 1 },
    }).deliverBatch;
  }

  registerHandlers(): void {
    setHandler(addToBatchSignal, (member) => {
      this.add(member);
    });
    setHandler(leaveBatchSignal, (workflowId) => this.leave(workflowId));
    setHandler(batchViewQuery, () => this.view());
    setHandler(endpointReleasedSignal, (release) => {
      this.released = true;
      this.releaseSlot = release?.notBefore;
    });
  }

  async run(): Promise<void> {
    for (;;) {
      if (!this.hasGathered()) {
        // A member may join while the handlers finish: ending now would leave it unsent.
        await condition(allHandlersFinished);
        if (!this.hasGathered()) return;
      }
      if (!(await this.waitUntilDue())) continue;
      const count = nextBatchSize(this.gathered, this.input.maxSize);
      const members = this.gathered
        .splice(0, count)
        .map(({ arrivedAt: _at, dataBytes: _bytes, ...member }) => member);
      await this.send(members);
      if (this.runIsLong() && this.hasGathered()) await this.continueAsNew();
    }
  }

  // A method, not a getter: members join across awaits, and TypeScript would narrow the length.
  private hasGathered(): boolean {
    return this.gathered.length > 0;
  }

  private add(member: BatchMember): void {
    // A join repeated after its signal went through (a retried activity) must not send the hook twice.
    const known = (candidate: BatchMember) => candidate.workflowId === member.workflowId;
    const sending = this.sending;
    if (this.gathered.some(known) || (sending && !sending.done && sending.members.some(known))) return;
    this.gathered.push({ ...member, arrivedAt: Date.now(), dataBytes: dataBytesOf(member.data) });
  }

  private async leave(workflowId: string): Promise<void> {
    const sending = this.sending;
    if (sending?.inFlight && sending.members.some((member) => member.workflowId === workflowId)) {
      sending.leaving.add(workflowId);
      return;
    }
    this.gathered = this.gathered.filter((member) => member.workflowId !== workflowId);
    if (sending) sending.members = sending.members.filter((member) => member.workflowId !== workflowId);
    await tellMember(workflowId, batchLeftSignal);
  }

  /**
   * Waits until the gathering is full or its window is out, and answers true; false when its first
   * member left meanwhile, since the window then runs from the next one's arrival.
   */
  private async waitUntilDue(): Promise<boolean> {
    const first = this.gathered[0];
    const dueAt = flushDueAt(this.gathered, this.input.windowSecs) ?? 0;
    const full = () => isBatchFull(this.gathered, this.input.maxSize);
    const waitMs = dueAt - Date.now();
    if (full() || waitMs <= 0) return true;
    const woken = await condition(() => full() || this.gathered[0] !== first, waitMs);
    return !woken || full();
  }

  /** One request and its retries, until it succeeds, runs out of attempts, or every member has left. */
  private async send(members: BatchMember[]): Promise<void> {
    const sending: Sending = {
      batchId: batchIdFromUuid(uuid4()),
      attempt: 0,
      members,
      inFlight: false,
      leaving: new Set(),
      done: false,
    };
    this.sending = sending;
    for (;;) {
      sending.attempt++;
      sending.inFlight = true;
      const result = await this.attempt(sending);
      sending.inFlight = false;
      const verdict = judgeBatchAttempt(this.input.retry, sending.attempt, result, Math.random());
      sending.done = verdict.final;
      const nextAttemptAt = verdict.final ? undefined : new Date(Date.now() + verdict.delayMs).toISOString();
      log.info('batch attempt', {
        batchId: sending.batchId,
        projectId: this.input.projectId,
        key: this.input.key,
        attempt: sending.attempt,
        members: sending.members.length,
        outcome: result.outcome,
        statusCode: result.statusCode,
      });
      const report: BatchAttemptReport = {
        batchId: sending.batchId,
        attempt: sending.attempt,
        outcome: result.outcome,
        permanent: result.permanent,
        statusCode: result.statusCode,
        responseBody: result.responseBody,
        error: result.error,
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
        durationMs: result.durationMs,
        final: verdict.final,
        ...(nextAttemptAt ? { nextAttemptAt } : {}),
      };
      await Promise.all(
        sending.members.map((member) => tellMember(member.workflowId, batchAttemptSignal, report)),
      );
      // Members that asked to leave during the attempt have its outcome now; they go before the next.
      const leaving = [...sending.leaving];
      sending.leaving.clear();
      sending.members = sending.members.filter((member) => !leaving.includes(member.workflowId));
      await Promise.all(leaving.map((workflowId) => tellMember(workflowId, batchLeftSignal)));
      if (verdict.final || sending.members.length === 0) break;
      // A durable timer: the members still in the batch wait with it, whatever happens to workers. It is
      // cut short when every one of them has left.
      if (await condition(() => sending.members.length === 0, verdict.delayMs)) break;
    }
    this.sending = undefined;
  }

  /**
   * One attempt of the request, once its endpoint lets it go: a paused, disabled or limited endpoint
   * holds a batch as it holds a hook, without spending an attempt.
   */
  private async attempt(sending: Sending): Promise<DeliveryResult> {
    for (;;) {
      const result = await this.tryAttempt(sending);
      if (!('heldBy' in result)) {
        await this.reportReleasedAttempt(result.reported);
        return result;
      }
      await this.waitForEndpoint(result.heldBy);
    }
  }

  /** Waits until the endpoint that holds the request lets it go (or an hour passes: it then asks again). */
  private async waitForEndpoint({ endpointWorkflowId, told }: HeldByEndpoint['heldBy']): Promise<void> {
    log.info('batch held by its endpoint', { batchId: this.sending?.batchId, endpointWorkflowId });
    this.releasedBy = undefined;
    if (!told && !(await askEndpointToHold(endpointWorkflowId, new Date(Date.now()).toISOString()))) {
      // The endpoint is gone: try again a little later rather than at once.
      await sleep(HOLD_FAILED_BACKOFF_MS);
      return;
    }
    if (await condition(() => this.released, HOLD_RECHECK_MS)) this.releasedBy = endpointWorkflowId;
  }

  /** Tells the endpoint that let the request go that it is made, unless the activity already did. */
  private async reportReleasedAttempt(reported: boolean | undefined): Promise<void> {
    const endpointWorkflowId = this.releasedBy;
    this.releasedBy = undefined;
    if (endpointWorkflowId && !reported) await reportAttemptMade(endpointWorkflowId);
  }

  /** A lost worker or an activity crash counts as a failed attempt of the whole request. */
  private async tryAttempt(sending: Sending): Promise<DeliveryResult | HeldByEndpoint> {
    const startedAt = Date.now();
    // The activity may hand the request to its endpoint, whose release can then come before its result.
    this.released = false;
    const releasedBy = this.releasedBy;
    try {
      return await this.deliverBatch({
        batchId: sending.batchId,
        projectId: this.input.projectId,
        targetUrl: this.input.targetUrl,
        attempt: sending.attempt,
        timeoutMs: this.input.deliveryTimeoutMs,
        members: sending.members,
        workflowId: workflowInfo().workflowId,
        dueAt: new Date(startedAt).toISOString(),
        ...(releasedBy
          ? {
              released: true as const,
              releasedBy,
              ...(this.releaseSlot ? { notBefore: this.releaseSlot } : {}),
            }
          : {}),
      });
    } catch (error) {
      const failure = attemptFailure(error);
      if (!failure) throw error;
      const finishedAt = Date.now();
      return {
        outcome: 'failure',
        permanent: false,
        error: failure.message,
        startedAt: new Date(startedAt).toISOString(),
        finishedAt: new Date(finishedAt).toISOString(),
        durationMs: finishedAt - startedAt,
      };
    }
  }

  private view(): BatchView {
    const sending = this.sending;
    return {
      gathering: this.gathered.map((member) => member.hookId),
      ...(sending
        ? {
            sending: {
              batchId: sending.batchId,
              attempt: sending.attempt,
              hookIds: sending.members.map((member) => member.hookId),
            },
          }
        : {}),
    };
  }

  private runIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS;
  }

  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    // Whatever joined while the handlers finished is in the members handed over.
    return continueAsNew<(input: BatchWorkflowInput) => Promise<void>>({
      ...this.input,
      gathered: this.gathered,
    });
  }
}

/** Signals a member; one that is gone (closed, terminated) has nothing left to learn. */
async function tellMember<Args extends unknown[]>(
  workflowId: string,
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowId).signal(signal, ...args);
  } catch {
    // Nobody waits for it any more.
  }
}
