// The one workflow bundle entry: every workflow type the worker serves.
export { preflight } from './preflight';
export { initialImport } from './initial-import';
export { incrementalSync } from './incremental-sync';
export { timesheetExport } from './timesheet-export';
export { trueUp } from './true-up';
