import type { PreflightHalf } from '../src/contracts/preflight';

/** Everything activities need, injected so tests and benchmarks build the same activities on real parts. */
export interface ActivityDeps {
  preflight: {
    sage(connection: string): Promise<PreflightHalf>;
    assignar(connection: string): Promise<PreflightHalf>;
  };
}
