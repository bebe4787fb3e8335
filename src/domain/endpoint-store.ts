import type {
  AlertView,
  EndpointHealthStatus,
  EndpointOverrides,
  EndpointRef,
  EndpointState,
  EndpointView,
} from './endpoint';
import type { ProjectOverview } from './project-overview';

/**
 * What the API asks of the store that keeps endpoints and their alerts. Temporal is the only
 * implementation (src/temporal/endpoint-store.ts); failures are the domain errors of ./errors.
 */

export interface EndpointFilter {
  states?: readonly EndpointState[];
  health?: EndpointHealthStatus;
}

/** `url`: alphabetical. `failureRate`: the worst first, by the last hour's failure rate, then the day's. */
export const ENDPOINT_ORDERS = ['url', 'failureRate'] as const;
export type EndpointOrder = (typeof ENDPOINT_ORDERS)[number];

export interface EndpointPage {
  endpoints: EndpointView[];
  nextCursor?: string;
}

export interface AlertPage {
  alerts: AlertView[];
  nextCursor?: string;
}

/** The endpoint a hook goes to, and whether it lets the hook through. */
export interface HookEndpoint extends EndpointRef {
  state: EndpointState;
}

export interface EndpointStore {
  list(
    projectId: string,
    filter: EndpointFilter,
    page: { limit: number; cursor?: string; order: EndpointOrder },
  ): Promise<EndpointPage>;
  get(projectId: string, endpointId: string): Promise<EndpointView>;
  pause(projectId: string, endpointId: string, note?: string): Promise<EndpointView>;
  resume(projectId: string, endpointId: string, note?: string): Promise<EndpointView>;
  configure(projectId: string, endpointId: string, overrides: EndpointOverrides): Promise<EndpointView>;
  /** A project's alerts, newest first. */
  alerts(
    projectId: string,
    filter: { endpointId?: string },
    page: { limit: number; cursor?: string },
  ): Promise<AlertPage>;
  /**
   * The endpoint of a hook to `targetUrl` as it stands (active if no hook has gone there yet); undefined
   * for a project that does not track endpoints.
   */
  endpointOfTarget(projectId: string, targetUrl: string): Promise<HookEndpoint | undefined>;
  /** The project's attempts minute by minute over the last hour, and its endpoints in trouble. */
  activity(projectId: string, now: Date): Promise<Pick<ProjectOverview, 'perMinute' | 'endpointsInTrouble'>>;
}
