export { createDeliveryActivities } from './deliver';
export { createAlertActivities } from './send-alert';
export { createFanoutActivities } from './schedule-event-hooks';
