import { channelLabel } from '../alerts/channel-config';
import type { ProjectConfig } from '../config/schema';
import type { FlowLimits } from '../domain/flow-limits';
import type { EndpointDefaults } from '../workflows/endpoint-messages';

/** A project's settings as its endpoints follow them, with its endpoint limits as they stand now. */
export function endpointDefaults(
  project: ProjectConfig,
  limits: FlowLimits,
  projectSettingsAt?: string,
): EndpointDefaults {
  return {
    alertRules: project.endpoints.alertRules,
    autoDisableAfterSecs: project.endpoints.autoDisableAfterSecs,
    alertChannels: project.endpoints.alertChannels.map(channelLabel),
    limits,
    batching: project.batching,
    ...(projectSettingsAt ? { projectSettingsAt } : {}),
  };
}
