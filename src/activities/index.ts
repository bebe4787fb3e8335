import { createDeliveryActivities } from './deliver';
import { createBatchDeliveryActivities } from './deliver-batch';
import { createBatchJoinActivities } from './join-batch';
import { createAlertActivities } from './send-alert';
import { createIngestActivities } from './forward-ingested-event';
import { createFanoutActivities } from './schedule-event-hooks';
import { createScheduleActivities } from './start-scheduled-hook';

export {
  createAlertActivities,
  createBatchDeliveryActivities,
  createBatchJoinActivities,
  createDeliveryActivities,
  createFanoutActivities,
  createIngestActivities,
  createScheduleActivities,
};

/** Every activity the hook worker registers. */
export type WorkerActivities = ReturnType<typeof createDeliveryActivities> &
  ReturnType<typeof createAlertActivities> &
  ReturnType<typeof createFanoutActivities> &
  ReturnType<typeof createIngestActivities> &
  ReturnType<typeof createScheduleActivities> &
  ReturnType<typeof createBatchJoinActivities> &
  ReturnType<typeof createBatchDeliveryActivities>;
