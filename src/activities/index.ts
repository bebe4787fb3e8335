export { createDeliveryActivities, type DeliveryDependencies } from './deliver';
