export { createDeliveryActivities } from './deliver';
