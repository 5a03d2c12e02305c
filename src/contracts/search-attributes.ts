import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes the workflows set, so operators filter in the Web UI (`TrueupPhase =
 * "awaiting-approval"`). Workflow code imports these keys; registering them is src/temporal/search-attributes.ts.
 */
export const TRUEUP_PHASE = defineSearchAttributeKey('TrueupPhase', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [TRUEUP_PHASE] as const;
