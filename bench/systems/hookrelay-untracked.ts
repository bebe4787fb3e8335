import { CURRENT, hookrelaySystem, startHookrelay } from './hookrelay';
import type { SystemDefinition } from './types';

/** The hookrelay row with endpoint health off for its project: nothing else differs. */
const UNTRACKED = {
  ...CURRENT,
  projectSettings: { ...CURRENT.projectSettings, endpoints: { tracking: false } },
};

export const hookrelayUntrackedSystem: SystemDefinition = {
  ...hookrelaySystem,
  name: 'hookrelay-untracked',
  setup:
    'The hookrelay row with endpoint health off for its project (`endpoints: { tracking: false }`): no ' +
    'outcome signals to endpoint workflows and no paused-endpoint check before each attempt. The row to ' +
    'read the cost of endpoint health against, measured in the same run.',
  start: (context) => startHookrelay(context, UNTRACKED),
  // The Startup scenario times `npm start` of this checkout, which the hookrelay row already does.
  timeStart: undefined,
};
