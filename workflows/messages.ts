import { defineQuery } from '@temporalio/workflow';
import type { Progress } from '../src/contracts/sync';

/** Every long workflow answers `progress`: phase, current entity and counts per entity and outcome. */
export const progressQuery = defineQuery<Progress>('progress');
