// Before a command writes anything: a provider requested without a fallback must open, or the
// command ends with the one-line reason (exit 69) and leaves no half-made run directory behind.
import { openSession } from '../session';
import { probeModel } from './probeModel';
import { providerList, type ProviderRequest } from './request';

export const preflight = async (request: ProviderRequest): Promise<void> => {
  const wanted = providerList(request);
  if (wanted.length !== 1 || wanted[0] === 'cpu') return;
  const { session } = await openSession(probeModel(), { provider: wanted, threads: 1 });
  await session.release();
};
