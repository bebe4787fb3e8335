import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BatchSizing } from '../domain/batch';
import type { AlertRules, AttemptReport, EndpointOverrides, EndpointView } from '../domain/endpoint';
import type { FlowLimits } from '../domain/flow-limits';

/**
 * The messages an endpoint workflow answers, shared by the workflow, the worker that feeds it, the hook
 * workflows it holds and the API. Their names are part of every history in flight.
 */

/** The project's settings an endpoint follows unless the endpoint overrides them; sent with each report. */
export interface EndpointDefaults {
  alertRules: AlertRules;
  /** 0: never disabled automatically. */
  autoDisableAfterSecs: number;
  /** The project's alert channels, by index and a secret-free label; alerts go to each. */
  alertChannels: string[];
  /** The project's limits for each of its endpoints; absent from reports of workers that predate them. */
  limits?: FlowLimits;
  /** The project's batch sizing, for endpoints set to batch; absent from reports of workers that predate it. */
  batching?: BatchSizing;
  /**
   * When the project's settings were last changed through the API, as the sender knew them: an endpoint
   * keeps the newest, and a report from a worker that has not yet seen a change does not undo it.
   */
  projectSettingsAt?: string;
}

/**
 * Attempt outcomes of the endpoint's hooks, gathered by a worker over a second or so: one signal per
 * batch, not per attempt, so that health costs a hook almost nothing.
 */
export const endpointReportsSignal = defineSignal<[EndpointReports]>('endpointReports');

export interface EndpointReports {
  reports: AttemptReport[];
  /** The project's settings as the reporting worker has them: a config change reaches endpoints this way. */
  defaults: EndpointDefaults;
}

/** A hook found its endpoint paused, disabled or limited: it waits to be released, in due order. */
export interface HeldHook {
  workflowId: string;
  /** When the hook was due: releases go earliest first. */
  dueAt: string;
  /**
   * The worker that held the hook had just been told by the receiver to back off until then (ISO): the
   * endpoint waits too, before the outcome that says so reaches it.
   */
  backOffUntil?: string;
}
export const holdHookSignal = defineSignal<[HeldHook]>('holdHook');

/** A released hook made its attempt (or finished): its place is free for the next one. */
export const heldHookAttemptedSignal = defineSignal<[string]>('heldHookAttempted');

/**
 * What workers tell an endpoint on behalf of their hooks' activities, gathered over a few milliseconds:
 * hooks handed over (each as holdHookSignal), and attempts made (each as heldHookAttemptedSignal).
 */
export const holdHooksSignal = defineSignal<[HeldHook[]]>('holdHooks');
export const heldHooksAttemptedSignal = defineSignal<[string[]]>('heldHooksAttempted');

/** Pauses the endpoint (a note may say why); answers with the endpoint as it now stands. */
export const pauseEndpointUpdate = defineUpdate<EndpointView, [string | undefined]>('pauseEndpoint');

/** Makes a paused or disabled endpoint active again and releases its held hooks in due order. */
export const resumeEndpointUpdate = defineUpdate<EndpointView, [string | undefined]>('resumeEndpoint');

/** Sets the endpoint's own alert rules, auto-disable window, limits and batching over the project's. */
export const configureEndpointUpdate = defineUpdate<EndpointView, [EndpointOverrides]>('configureEndpoint');

export const endpointViewQuery = defineQuery<EndpointView>('endpointView');

/** ApplicationFailure type of endpoint settings out of range; the API answers it with 400. */
export const INVALID_ENDPOINT_SETTINGS = 'InvalidEndpointSettings';
