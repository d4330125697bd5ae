// The error of a provider that cannot open and has no fallback in the request: one line naming
// what is missing and how to install it (exit 69).
import { CliError, EXIT } from '../../core/failure';
import { binding } from './ort';
import { cudaFacts, cudaMissing } from './cudaReadiness';
import { ortReason } from './ortReason';
import type { Provider } from './request';

const HINT = '(hourglass doctor lists what is there; --provider cuda,cpu falls back to the CPU)';

export const unavailable = (provider: Provider, reason: string): CliError => {
  if (provider !== 'cuda') return new CliError(`provider ${provider} is unavailable: ${ortReason(reason)}`, EXIT.unavailable);
  const loaded = binding();
  if (loaded.name !== 'cuda') {
    const why = loaded.failure ?? 'this process loaded the default onnxruntime binding';
    return new CliError(`provider cuda is unavailable: the CUDA binding (onnxruntime-node-cuda) is not loaded: ${why}; install it with npm install 'onnxruntime-node-cuda@npm:onnxruntime-node@1.29.0', or set HOURGLASS_PROVIDER=cuda before the runtime loads ${HINT}`, EXIT.unavailable);
  }
  const missing = cudaMissing(cudaFacts());
  const why = ortReason(reason);
  if (missing.length === 0) return new CliError(`provider cuda is unavailable: ${why} ${HINT}`, EXIT.unavailable);
  const items = missing.map((m) => `${m.what}; to fix: ${m.fix}`).join('; ');
  return new CliError(`provider cuda is unavailable: ${items} (onnxruntime: ${why}) ${HINT}`, EXIT.unavailable);
};
