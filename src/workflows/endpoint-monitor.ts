import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { type BatchSizing, batchSizingProblem, DEFAULT_BATCH_SIZING } from '../domain/batch';
import {
  type AlertKind,
  type AlertRules,
  type AttemptReport,
  type EndpointAlert,
  type EndpointOverrides,
  type EndpointRef,
  type EndpointState,
  type EndpointView,
  type HealthJudgement,
} from '../domain/endpoint';
import { autoDisableDue, EndpointHealth, type HealthSnapshot, judgeHealth } from '../domain/endpoint-health';
import {
  EndpointFlow,
  effectiveFlowLimits,
  type FlowLimits,
  type FlowSnapshot,
  flowLimitsProblem,
} from '../domain/flow-limits';
import { alertWorkflow } from './alert.workflow';
import {
  configureEndpointUpdate,
  type EndpointDefaults,
  endpointReportsSignal,
  endpointViewQuery,
  heldHookAttemptedSignal,
  heldHooksAttemptedSignal,
  INVALID_ENDPOINT_SETTINGS,
  type HeldHook,
  holdHookSignal,
  holdHooksSignal,
  pauseEndpointUpdate,
  resumeEndpointUpdate,
} from './endpoint-messages';
import {
  alertMemo,
  alertSearchAttributes,
  alertWorkflowId,
  endpointMemo,
  endpointStatusAttributes,
  endpointView,
} from './endpoint-record';
import { endpointReleasedSignal } from './messages';

/** Everything an endpoint's run starts from: its identity, and what its previous run handed over. */
export interface EndpointWorkflowInput {
  projectId: string;
  endpoint: EndpointRef;
  defaults: EndpointDefaults;
  carried?: CarriedEndpoint;
  /**
   * The outcomes the endpoint was started for, by a worker that wrote its memo and search attributes
   * from them at the start (newEndpointRecord): recorded here again, they leave nothing to write.
   */
  firstReports?: AttemptReport[];
  /** When that start record was made: the endpoint's first sighting, as the record says. */
  recordedAt?: string;
}

/** An endpoint's state as one run hands it to the next (continue-as-new). */
export interface CarriedEndpoint {
  state: EndpointState;
  stateChangedAt: string;
  stateNote?: string;
  /** When it was last resumed: failures before it do not count towards auto-disable. */
  resumedAt?: string;
  health: HealthSnapshot;
  judgement: HealthJudgement;
  overrides: EndpointView['overrides'];
  held: HeldHook[];
  /** Releases in flight and the slots given out; absent from runs that predate limits. */
  flow?: FlowSnapshot;
  alertsRaised: number;
  firstSeenAt: string;
}

/**
 * Hooks an endpoint holds at most: they travel in its continue-as-new input, which Temporal caps at 2 MB.
 * A hook beyond it is not kept, and asks again after its recheck time.
 */
const MAX_HELD_HOOKS = 10_000;

/** Stats go into the memo at most this often while attempts stream in; state changes go at once. */
const STATS_PUBLISH_INTERVAL_MS = 5_000;
/** A run's history is kept short so that a worker that lost it from its cache replays it quickly. */
const MAX_HISTORY_EVENTS = 2_000;

/**
 * One endpoint of a project, for as long as hooks go there: its health from batches of attempt outcomes,
 * an alert at each change between healthy and failing, auto-disable, pause and resume, and the hooks
 * held while it is not active or while it has limits, released in due order: one at a time once it is
 * active again, or as fast and as many at once as its limits allow. Every worker sends a limited
 * endpoint's hooks here, so the limits hold whatever the number of workers. Lives forever, one run after
 * another (continue-as-new), carrying its state over.
 */
export class EndpointMonitor {
  private readonly health: EndpointHealth;
  private defaults: EndpointDefaults;
  private state: EndpointState;
  private stateChangedAt: string;
  private stateNote: string | undefined;
  private resumedAt: string | undefined;
  private judgement: HealthJudgement;
  private overrides: EndpointView['overrides'];
  private readonly held: HeldHook[];
  private readonly heldIds: Set<string>;
  /** Released hooks until they report their attempt, the rate limit's slots, and a receiver's back-off. */
  private readonly flow: EndpointFlow;
  /** Whether the search attributes last written show the endpoint limited (see flowAttribute). */
  private limitedShown: boolean | undefined;
  /** Whether they show it set to batch; endpoints never set to batch do not write the attribute at all. */
  private batchShown = false;
  private alertsRaised: number;
  private readonly firstSeenAt: string;
  private readonly alertsToRaise: EndpointAlert[] = [];
  /** State or health changed since the memo was written: written at once. */
  private statusChanged: boolean;
  /** Stats changed since the memo was written: written within STATS_PUBLISH_INTERVAL_MS. */
  private statsChanged = false;
  private publishedAt: number;

  constructor(private readonly input: EndpointWorkflowInput) {
    const carried = input.carried;
    const now = input.recordedAt ?? new Date(Date.now()).toISOString();
    this.defaults = input.defaults;
    this.health = EndpointHealth.restore(carried?.health);
    this.state = carried?.state ?? 'active';
    this.stateChangedAt = carried?.stateChangedAt ?? now;
    this.stateNote = carried?.stateNote;
    this.resumedAt = carried?.resumedAt;
    this.judgement = carried?.judgement ?? { health: 'healthy', reasons: [] };
    this.overrides = carried?.overrides ?? {};
    this.held = carried?.held ?? [];
    this.heldIds = new Set(this.held.map((hook) => hook.workflowId));
    this.flow = EndpointFlow.restore(carried?.flow);
    this.alertsRaised = carried?.alertsRaised ?? 0;
    this.firstSeenAt = carried?.firstSeenAt ?? now;
    // A run that continues another writes its record once; a new one was written at its start.
    this.statusChanged = !input.firstReports;
    this.publishedAt = input.firstReports ? Date.now() : 0;
    if (input.firstReports) {
      this.health.record(input.firstReports);
      this.judge();
    }
    // A new endpoint's start wrote whether it is limited; a continued run writes its record at once.
    this.limitedShown = this.isLimited();
  }

  registerHandlers(): void {
    setHandler(endpointReportsSignal, ({ reports, defaults }) => {
      // A worker that has not yet read the project's latest settings does not undo them.
      if ((defaults.projectSettingsAt ?? '') >= (this.defaults.projectSettingsAt ?? ''))
        this.defaults = defaults;
      this.health.record(reports);
      for (const report of reports) {
        if (report.retryAfterMs) this.flow.throttle(Date.parse(report.at) + report.retryAfterMs);
      }
      this.statsChanged = true;
      this.judge();
    });
    setHandler(holdHookSignal, (hook) => {
      this.take(hook);
    });
    setHandler(holdHooksSignal, (hooks) => {
      for (const hook of hooks) this.take(hook);
    });
    setHandler(heldHookAttemptedSignal, (workflowId) => {
      this.flow.attempted(workflowId);
    });
    setHandler(heldHooksAttemptedSignal, (workflowIds) => {
      for (const workflowId of workflowIds) this.flow.attempted(workflowId);
    });
    setHandler(pauseEndpointUpdate, (note) => {
      if (this.state !== 'paused') this.setState('paused', note);
      return this.view();
    });
    setHandler(resumeEndpointUpdate, (note) => {
      if (this.state !== 'active') {
        this.resumedAt = new Date(Date.now()).toISOString();
        this.setState('active', note);
      }
      return this.view();
    });
    setHandler(
      configureEndpointUpdate,
      (overrides) => {
        this.configure(overrides);
        return this.view();
      },
      { validator: assertValidOverrides },
    );
    setHandler(endpointViewQuery, () => this.view());
  }

  async run(): Promise<never> {
    for (;;) {
      // New stats set the time of the next memo write: the wait starts over when they come in.
      const statsWereChanged = this.statsChanged;
      await condition(() => this.hasWork() || this.statsChanged !== statsWereChanged, this.nextWakeInMs());
      await this.raiseAlerts();
      for (const workflowId of this.flow.expire(Date.now())) {
        log.warn('released hook did not report its attempt; its place goes to the next one', {
          endpointId: this.input.endpoint.id,
          workflowId,
        });
      }
      this.publish();
      // Releases in flight are carried over: their reports go to whichever run is current.
      if (this.runIsLong()) await this.continueAsNew();
      await this.releaseDue();
    }
  }

  private hasWork(): boolean {
    return (
      this.alertsToRaise.length > 0 ||
      this.statusChanged ||
      this.limitedShown !== this.isLimited() ||
      this.nextRelease()?.kind === 'now'
    );
  }

  /** Whether the next held hook may go now, later or after a report; undefined with none to let go. */
  private nextRelease() {
    if (this.state !== 'active' || this.held.length === 0) return undefined;
    return this.flow.nextRelease(this.limits(), Date.now());
  }

  /**
   * The next moment something is due without a message: a stats write, a release's slot, the end of a
   * back-off, a release timeout.
   */
  private nextWakeInMs(): number | undefined {
    const release = this.nextRelease();
    const throttledUntil = this.flow.throttledUntilAt(Date.now());
    const expiry = this.flow.nextExpiryAt();
    const due = [
      ...(this.statsChanged ? [this.publishedAt + STATS_PUBLISH_INTERVAL_MS] : []),
      ...(release?.kind === 'later' ? [release.at] : []),
      ...(throttledUntil === undefined ? [] : [throttledUntil]),
      ...(expiry === undefined ? [] : [expiry]),
    ];
    // Nothing due: an idle endpoint sets no timer and writes nothing until a message comes.
    return due.length === 0 ? undefined : Math.max(1, Math.min(...due) - Date.now());
  }

  /** A hook handed over by its worker or its workflow. */
  private take(hook: HeldHook): void {
    // A released hook that meets a pause again (or missed its slot) is held again: its release is over.
    this.flow.heldAgain(hook.workflowId);
    if (hook.backOffUntil) this.flow.throttle(Date.parse(hook.backOffUntil));
    this.hold({ workflowId: hook.workflowId, dueAt: hook.dueAt });
  }

  private hold(hook: HeldHook): void {
    if (this.heldIds.has(hook.workflowId)) return;
    if (this.held.length >= MAX_HELD_HOOKS) {
      // Not kept: the hook asks again after its recheck time (see HookLifecycle.waitForEndpoint).
      log.warn('endpoint holds as many hooks as it can; this one asks again later', {
        endpointId: this.input.endpoint.id,
        workflowId: hook.workflowId,
      });
      return;
    }
    // Kept in due order; equal due times keep their arrival order (after the last one not later).
    let low = 0;
    for (let high = this.held.length; low < high;) {
      const middle = (low + high) >>> 1;
      if ((this.held[middle]?.dueAt ?? '') > hook.dueAt) high = middle;
      else low = middle + 1;
    }
    this.held.splice(low, 0, hook);
    this.heldIds.add(hook.workflowId);
    this.statsChanged = true;
  }

  /**
   * Lets the earliest held hooks go, as many as may go now: without limits one at a time (the next once
   * it has made its attempt, so they arrive in order); with a rate limit, each with the slot it is sent in.
   * The signals of one round go out together.
   */
  private async releaseDue(): Promise<void> {
    const signals: Array<Promise<void>> = [];
    for (let release = this.nextRelease(); release?.kind === 'now'; release = this.nextRelease()) {
      const next = this.held.shift();
      if (!next) break;
      this.heldIds.delete(next.workflowId);
      this.statsChanged = true;
      const { notBefore } = release;
      this.flow.released(next.workflowId, Date.now(), notBefore);
      const handle = getExternalWorkflowHandle(next.workflowId);
      signals.push(
        (notBefore === undefined
          ? handle.signal(endpointReleasedSignal)
          : handle.signal(endpointReleasedSignal, { notBefore: new Date(notBefore).toISOString() })
        ).catch(() => {
          // The hook has closed meanwhile (cancelled, say): nothing to wait for.
          this.flow.gone(next.workflowId);
        }),
      );
    }
    await Promise.all(signals);
  }

  private limits(): FlowLimits {
    return effectiveFlowLimits(this.defaults.limits, this.overrides.limits);
  }

  /** Whether workers send this endpoint's hooks here first: it has limits, or a receiver asked to back off. */
  private isLimited(): boolean {
    const { ratePerSecond, maxInFlight } = this.limits();
    return ratePerSecond > 0 || maxInFlight > 0 || this.flow.isThrottled(Date.now());
  }

  private setState(state: EndpointState, note: string | undefined): void {
    this.state = state;
    this.stateChangedAt = new Date(Date.now()).toISOString();
    this.stateNote = note;
    this.statusChanged = true;
    log.info('endpoint state changed', { endpointId: this.input.endpoint.id, state, note });
  }

  private configure(overrides: EndpointOverrides): void {
    const next = { ...this.overrides };
    if (overrides.alertRules === null) delete next.alertRules;
    else if (overrides.alertRules) next.alertRules = { ...next.alertRules, ...overrides.alertRules };
    if (overrides.autoDisableAfterSecs === null) delete next.autoDisableAfterSecs;
    else if (overrides.autoDisableAfterSecs !== undefined) {
      next.autoDisableAfterSecs = overrides.autoDisableAfterSecs;
    }
    if (overrides.limits === null) delete next.limits;
    else if (overrides.limits) next.limits = { ...next.limits, ...overrides.limits };
    if (overrides.batch === null) delete next.batch;
    else if (overrides.batch) next.batch = { ...next.batch, ...overrides.batch };
    this.overrides = next;
    this.statusChanged = true;
    this.judge();
  }

  /** How the endpoint batches its hooks, if it is set to: the project's sizing with its own over it. */
  private batching(): BatchSizing | undefined {
    if (!this.overrides.batch) return undefined;
    return { ...(this.defaults.batching ?? DEFAULT_BATCH_SIZING), ...this.overrides.batch };
  }

  private alertRules(): AlertRules {
    return { ...this.defaults.alertRules, ...this.overrides.alertRules };
  }

  private autoDisableAfterSecs(): number {
    return this.overrides.autoDisableAfterSecs ?? this.defaults.autoDisableAfterSecs;
  }

  /** Judges the endpoint after new outcomes or rules: alerts at a change of health, and auto-disable. */
  private judge(): void {
    const now = Date.now();
    const judgement = judgeHealth(this.health, this.alertRules(), now);
    if (judgement.health !== this.judgement.health) {
      this.statusChanged = true;
      this.queueAlert(judgement.health === 'failing' ? 'failing' : 'recovered', judgement.reasons);
    }
    this.judgement = judgement;
    const disableReason = this.state === 'active' ? this.autoDisableReason(now) : undefined;
    if (disableReason) {
      this.setState('disabled', disableReason);
      this.queueAlert('disabled', [disableReason, ...judgement.reasons]);
    }
  }

  /** Why the endpoint is due to be disabled, if it is (see autoDisableDue); a resume restarts the window. */
  private autoDisableReason(now: number): string | undefined {
    const afterSecs = this.autoDisableAfterSecs();
    const resumedAt = this.resumedAt ? Date.parse(this.resumedAt) : 0;
    const { failingSince } = this.health;
    if (afterSecs === 0 || !failingSince || !autoDisableDue(this.health, afterSecs * 1000, now, resumedAt)) {
      return undefined;
    }
    const since = new Date(Math.max(Date.parse(failingSince), resumedAt)).toISOString();
    return `no successful attempt since ${since} (auto-disable after ${afterSecs} s)`;
  }

  private queueAlert(kind: AlertKind, reasons: string[]): void {
    const now = Date.now();
    const rules = this.alertRules();
    const stats = this.health.stats(now);
    this.alertsRaised += 1;
    this.alertsToRaise.push({
      id: `al_${this.input.endpoint.id.slice('ep_'.length)}_${this.alertsRaised}`,
      kind,
      projectId: this.input.projectId,
      endpoint: { id: this.input.endpoint.id, url: this.input.endpoint.url },
      raisedAt: new Date(now).toISOString(),
      reasons,
      windowMinutes: rules.windowMinutes,
      window: this.health.windowStats(now, rules.windowMinutes),
      failureStreak: stats.failureStreak,
      lastFailure: stats.lastFailure,
    });
  }

  /**
   * Each alert is a workflow of its own, which sends it on every channel with durable retries: a channel
   * that is down delays nothing here, and the endpoint may move on (or continue as new) meanwhile.
   */
  private async raiseAlerts(): Promise<void> {
    for (let alert = this.alertsToRaise.shift(); alert; alert = this.alertsToRaise.shift()) {
      log.info('endpoint alert', { endpointId: alert.endpoint.id, kind: alert.kind, alertId: alert.id });
      try {
        await startChild(alertWorkflow, {
          workflowId: alertWorkflowId(this.input.projectId, alert.id),
          args: [{ alert, channels: this.defaults.alertChannels }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: alertSearchAttributes(alert),
          memo: alertMemo({
            ...alert,
            deliveries: this.defaults.alertChannels.map((channel) => ({ channel, status: 'sending' })),
          }),
        });
      } catch (error) {
        // Raised before, by a run whose task was retried: that one stands.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    }
  }

  private view(): EndpointView {
    const now = Date.now();
    return endpointView(
      {
        projectId: this.input.projectId,
        endpoint: this.input.endpoint,
        state: this.state,
        stateChangedAt: this.stateChangedAt,
        stateNote: this.stateNote,
        judgement: this.judgement,
        heldHooks: this.held.length,
        inFlight: this.flow.inFlightCount,
        limits: this.limits(),
        batch: this.batching(),
        throttledUntil: this.flow.throttledUntilAt(now),
        alertRules: this.alertRules(),
        autoDisableAfterSecs: this.autoDisableAfterSecs(),
        overrides: this.overrides,
        firstSeenAt: this.firstSeenAt,
      },
      this.health,
      now,
    );
  }

  /** Writes the memo (and, on a change of state or health, the search attributes) when it is due. */
  private publish(): void {
    const now = Date.now();
    const statsDue = this.statsChanged && now - this.publishedAt >= STATS_PUBLISH_INTERVAL_MS;
    const limited = this.isLimited();
    const batched = this.overrides.batch !== undefined;
    const statusChanged = this.statusChanged || limited !== this.limitedShown || batched !== this.batchShown;
    if (!statusChanged && !statsDue) return;
    const view = this.view();
    if (statusChanged) {
      upsertSearchAttributes(
        endpointStatusAttributes(view, limited, batched || this.batchShown ? batched : undefined),
      );
      this.limitedShown = limited;
      this.batchShown = batched;
    }
    upsertMemo(endpointMemo(view, this.health));
    this.statusChanged = false;
    this.statsChanged = false;
    this.publishedAt = now;
  }

  private runIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS;
  }

  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    // Whatever arrived while the handlers finished is in the state handed over.
    await this.raiseAlerts();
    return continueAsNew<(input: EndpointWorkflowInput) => Promise<never>>({
      // The first outcomes are in the health carried over; the new run writes its own record at once.
      projectId: this.input.projectId,
      endpoint: this.input.endpoint,
      defaults: this.defaults,
      carried: {
        state: this.state,
        stateChangedAt: this.stateChangedAt,
        stateNote: this.stateNote,
        resumedAt: this.resumedAt,
        health: this.health.snapshot(),
        judgement: this.judgement,
        overrides: this.overrides,
        held: this.held,
        flow: this.flow.snapshot(),
        alertsRaised: this.alertsRaised,
        firstSeenAt: this.firstSeenAt,
      },
    });
  }
}

/** The API checks overrides first; this keeps a bad value from ever reaching an endpoint's state. */
function assertValidOverrides(overrides: EndpointOverrides): void {
  const rules = overrides.alertRules ?? {};
  const problems = [
    overrides.limits != null && flowLimitsProblem(overrides.limits) !== undefined,
    overrides.batch != null && batchSizingProblem(overrides.batch) !== undefined,
    rules.minSuccessRate !== undefined && !(rules.minSuccessRate >= 0 && rules.minSuccessRate <= 1),
    rules.windowMinutes !== undefined &&
      !(Number.isInteger(rules.windowMinutes) && rules.windowMinutes >= 1 && rules.windowMinutes <= 60),
    rules.minAttempts !== undefined && !(Number.isInteger(rules.minAttempts) && rules.minAttempts >= 1),
    rules.maxConsecutiveFailures !== undefined &&
      !(Number.isInteger(rules.maxConsecutiveFailures) && rules.maxConsecutiveFailures >= 1),
    overrides.autoDisableAfterSecs != null &&
      !(Number.isInteger(overrides.autoDisableAfterSecs) && overrides.autoDisableAfterSecs >= 0),
  ];
  if (problems.some(Boolean)) {
    throw ApplicationFailure.create({
      type: INVALID_ENDPOINT_SETTINGS,
      message: 'invalid endpoint settings',
      nonRetryable: true,
    });
  }
}
