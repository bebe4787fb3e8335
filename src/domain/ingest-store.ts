import type { SourceConfig } from '../config/source-schema';
import type { IngestedEventRecord } from '../workflows/ingest-record';
import type { InboundEnvelope } from './inbound-event';

/**
 * What the API asks of the store that keeps ingested events. Temporal is the only implementation
 * (src/temporal/ingest-store.ts). Failures are the domain errors of ./errors.
 */

export interface IngestedEventFilter {
  /** A sender event id: searched in each of these sources. */
  eventId?: { id: string; sourceIds: readonly string[] };
  sourceId?: string;
  eventType?: string;
}

export interface IngestedEventPage {
  events: IngestedEventRecord[];
  nextCursor?: string;
}

export interface IngestStore {
  /**
   * Keeps a verified event and has it forwarded. An event id the source has seen within its dedupe
   * window is a duplicate: noted on the first event, forwarded no more.
   */
  accept(projectId: string, source: SourceConfig, envelope: InboundEnvelope): Promise<{ duplicate: boolean }>;
  get(projectId: string, sourceId: string, eventId: string): Promise<IngestedEventRecord>;
  /** One page of the project's ingested events, newest first (eventually consistent). */
  list(
    projectId: string,
    filter: IngestedEventFilter,
    page: { limit: number; cursor?: string },
  ): Promise<IngestedEventPage>;
  /** Forwards the event again, as new hooks, whether or not its dedupe window has ended. */
  replay(projectId: string, sourceId: string, eventId: string): Promise<IngestedEventRecord>;
}
