export { HookrelayClient, type HookrelayClientOptions } from './hookrelay-client';
export { HookrelayApiError } from './errors';
export type * from './types';
