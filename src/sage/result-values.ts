import { SageMalformedResponseError } from './errors';

/** A non-negative integer attribute (`count`, `totalcount`, …), or undefined when absent or not one. */
export function int(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

export function malformed(message: string): SageMalformedResponseError {
  return new SageMalformedResponseError(`Malformed Sage Intacct response: ${message}`, { level: 'result' });
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
