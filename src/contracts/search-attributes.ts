import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so operators filter in the Web UI and `temporal workflow list --query`:
 *   Connection = "acme"                   every workflow of a connection (set when it starts)
 *   RunPhase = "changes"                  imports, syncs and exports by phase (import: importing:<entity>)
 *   TrueupPhase = "awaiting-approval"     true-ups waiting for a person
 * Workflow code imports these keys; registering them is src/temporal/search-attributes.ts.
 */
export const CONNECTION = defineSearchAttributeKey('Connection', SearchAttributeType.KEYWORD);
export const RUN_PHASE = defineSearchAttributeKey('RunPhase', SearchAttributeType.KEYWORD);
export const TRUEUP_PHASE = defineSearchAttributeKey('TrueupPhase', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [CONNECTION, RUN_PHASE, TRUEUP_PHASE] as const;
