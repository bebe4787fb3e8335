export { createDeliveryActivities } from './deliver';
export { createAlertActivities } from './send-alert';
