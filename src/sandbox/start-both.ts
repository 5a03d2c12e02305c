import { startAssignarSandbox, type AssignarSandbox, type AssignarSandboxOptions } from './assignar';
import { startSageSandbox, type SageSandbox, type SageSandboxOptions } from './sage';
import { SANDBOX_DEFAULT_PORTS } from './demo-credentials';

export interface Sandboxes {
  sage: SageSandbox;
  assignar: AssignarSandbox;
  close(): Promise<void>;
}

export interface BothSandboxesOptions {
  sage?: SageSandboxOptions;
  assignar?: AssignarSandboxOptions;
}

/** Starts both simulators (default ports 7431 and 7432, where the embedded `demo` connection looks). */
export async function startSandboxes(options: BothSandboxesOptions = {}): Promise<Sandboxes> {
  const sage = await startSageSandbox({ port: SANDBOX_DEFAULT_PORTS.sage, ...options.sage });
  let assignar: AssignarSandbox;
  try {
    assignar = await startAssignarSandbox({ port: SANDBOX_DEFAULT_PORTS.assignar, ...options.assignar });
  } catch (err) {
    await sage.close();
    throw err;
  }
  return {
    sage,
    assignar,
    async close() {
      await Promise.allSettled([sage.close(), assignar.close()]);
    },
  };
}

/** The one JSON line `intacct-assignar sandbox` prints when ready. */
export function describeSandboxes(s: Sandboxes) {
  return {
    sage: { baseUrl: s.sage.baseUrl, endpoint: s.sage.endpointUrl, control: `${s.sage.baseUrl}/_sandbox/`, ...s.sage.credentials },
    assignar: {
      baseUrl: s.assignar.baseUrl,
      apiBase: s.assignar.apiBase,
      tokenUrl: s.assignar.tokenUrl,
      control: `${s.assignar.baseUrl}/_sandbox/`,
      ...s.assignar.credentials,
    },
  };
}
