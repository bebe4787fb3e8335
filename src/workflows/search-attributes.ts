import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every hook workflow carries, so that listing and filtering run on Temporal
 * visibility without a database of our own. The dev server registers them at start-up; a production
 * namespace needs them registered once (`temporal operator search-attribute create`).
 */
export const HookProject = defineSearchAttributeKey('HookProject', SearchAttributeType.KEYWORD);
export const HookStatusKey = defineSearchAttributeKey('HookStatus', SearchAttributeType.KEYWORD);
export const HookPath = defineSearchAttributeKey('HookPath', SearchAttributeType.KEYWORD);
export const HookAttempts = defineSearchAttributeKey('HookAttempts', SearchAttributeType.INT);
export const HookPostAt = defineSearchAttributeKey('HookPostAt', SearchAttributeType.DATETIME);
export const HookCreatedAt = defineSearchAttributeKey('HookCreatedAt', SearchAttributeType.DATETIME);
export const HookNextAttemptAt = defineSearchAttributeKey('HookNextAttemptAt', SearchAttributeType.DATETIME);

export const HOOK_SEARCH_ATTRIBUTES = [
  HookProject,
  HookStatusKey,
  HookPath,
  HookAttempts,
  HookPostAt,
  HookCreatedAt,
  HookNextAttemptAt,
] as const;
