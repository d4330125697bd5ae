// The `hourglass` command line. Every command's work is imported when that command runs, so
// `--help` or `compile` never load onnxruntime, vega, esbuild or TypeScript (docs/package.md).
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { PROVIDER_HELP, providersOption, registerDoctor } from './commands/doctor';
import { compileCommand } from './commands/compile';
import { registerServe } from './commands/serve';
import { registerSweep } from './commands/sweep';
import { registerGan } from './commands/gan';
import { SPEC_TIMEOUT_S } from '../host/spec/specProbe';
import { CliError, EXIT, REPORT_BUG, fraction, positive, positiveInt, seed } from '../core/failure';
import { maxMemoryFlag } from './maxMemoryFlag';
import { threadsFlag } from './threadsFlag';
import { registerFigures } from './commands/figures';
import { registerReport } from './commands/report';
import { registerReproduce } from './commands/reproduce';
import { collectSet, SET_HELP } from '../host/spec/loadSpec';
import { registerData } from './commands/data';
import { registerEvaluate } from './commands/evaluate';
import { arg } from './arg';
import { bindingForRequest, chooseBinding } from '../host/providers/ort';
import { providerArgument } from '../host/providers/request';

// The onnxruntime binding is this command line's choice (--provider cuda: the CUDA build), made
// before any command loads onnxruntime.
chooseBinding(bindingForRequest(providerArgument(process.argv.slice(2))));

const optimizers = ['adam', 'sgd', 'adagrad', 'rmsprop'];

/** --force of the commands that write one file (docs/safety.md, "Outputs"). */
const OUTPUT_FORCE_HELP = 'replace an existing --out that Hourglass cannot prove it wrote (any existing .npy; a .png without its mark)';

const { version } = createRequire(import.meta.url)('hourglass/package.json') as { version: string };

const program = new Command()
  .name('hourglass')
  .version(version)
  .description('Compile autoencoders written in a typed combinator DSL to ONNX training graphs, and train them.')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

program
  .command('compile')
  .description('write the ONNX artifacts and manifest.json of a spec')
  .argument('<spec>', 'TypeScript module whose default export is a model')
  .requiredOption('--out <dir>', 'output directory')
  .addOption(new Option('--dtype <dtype>', 'float type of the graphs').choices(['f32', 'f64']).default('f32'))
  .addOption(new Option('--optimizer <name>', 'optimizer of the train step').choices(optimizers).default('adam'))
  .option('--lr <x>', 'initial learning rate (stored in the manifest)', arg(positive('lr')), 1e-3)
  .option('--no-typecheck', 'skip type-checking the spec')
  .option('--spec-timeout <s>', 'seconds the spec may take to load', arg(positive('spec-timeout')), SPEC_TIMEOUT_S)
  .option('--max-memory <size>', 'the most the spec may use while it loads and builds (e.g. 1GB; default: half the free memory, at most 2 GiB)', arg(maxMemoryFlag))
  .option('--set <name=value>', SET_HELP, collectSet, [])
  .action((spec, o) => compileCommand(spec, o));

program
  .command('train')
  .description('train a spec on a data set, writing metrics, checkpoints and exported graphs to a run directory')
  .argument('<spec>', 'TypeScript module whose default export is a model')
  .requiredOption('--data <name|path>', 'mnist (embedded), fashion-mnist, shapes, or a .npy / IDX file')
  .requiredOption('--out <run-dir>', 'run directory')
  .option('--epochs <n>', 'epochs', arg(positiveInt('epochs')), 10)
  .option('--batch <n>', 'batch size', arg(positiveInt('batch')), 128)
  .option('--lr <x>', 'learning rate', arg(positive('lr')), 1e-3)
  .option('--lr-schedule <form>', 'constant | step:<every>:<factor> | exp:<gamma> | cosine[:<floor>] (per epoch)', 'constant')
  .option('--seed <s>', 'seed for initialisation, shuffling and noise, in [0, 2^32)', arg(seed('seed')), 1)
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(optimizers).default('adam'))
  .addOption(new Option('--provider <list>', PROVIDER_HELP).argParser(arg(providersOption)).default(['cpu'], 'cpu'))
  .addOption(new Option('--dtype <dtype>', 'float type').choices(['f32', 'f64']).default('f32'))
  .option('--threads <n>', 'intra-op threads (default: one per core)', arg(threadsFlag()))
  .option('--fuse <n>', 'training steps per onnxruntime call (the fused Loop graph); 1 runs single steps', arg(positiveInt('fuse')), 16)
  .option('--max-memory <size>', 'refuse to start when the run memory estimate exceeds this (e.g. 4GB); the available memory always applies', arg(maxMemoryFlag))
  .option('--checkpoint-every <n>', 'write a checkpoint every n steps (and after every epoch)', arg(positiveInt('checkpoint-every')), 200)
  .option('--binarise', 'threshold the data at 0.5', false)
  .option('--resume', 'continue the run in --out from its last checkpoint', false)
  .option('--force', 'replace an existing run directory', false)
  .option('--legacy', 'on --resume, read a version-1 checkpoint (it has no checksum)', false)
  .option('--no-typecheck', 'skip type-checking the spec')
  .option('--spec-timeout <s>', 'seconds the spec may take to load', arg(positive('spec-timeout')), SPEC_TIMEOUT_S)
  .option('--set <name=value>', SET_HELP, collectSet, [])
  .option('--held-out <fraction>', 'fraction of --data held out, in [0, 1); 0 trains on everything (default 0.2)', arg(fraction('held-out')))
  .option('--held-out-data <name|path>', 'a separate held-out set (e.g. fashion-mnist-test); all of --data then trains')
  .option('--eval <metrics>', 'held-out metrics added to metrics.jsonl: comma-separated iwae[=K], probe, mmd, pca')
  .option('--eval-every <n>', 'evaluate --eval every n epochs (and after the last)', arg(positiveInt('eval-every')))
  .action(async (spec, o, cmd) => (await import('./commands/train')).trainCommand(spec, o, cmd));

program
  .command('encode')
  .description("write the codes of a data set under a trained run's encoder")
  .argument('<run-dir>', 'a finished training run')
  .requiredOption('--data <name|path>', 'data set to encode')
  .requiredOption('--out <file.npy>', 'where to write the codes')
  .option('--limit <n>', 'encode only the first n examples', arg(positiveInt('limit')))
  .addOption(new Option('--split <part>', "rows of --data by the run's split (labels and factors are written beside the codes)").choices(['train', 'held-out', 'all']).default('all'))
  .addOption(new Option('--provider <list>', PROVIDER_HELP).argParser(arg(providersOption)).default(['cpu'], 'cpu'))
  .option('--force', OUTPUT_FORCE_HELP, false)
  .action(async (dir, o) => (await import('./commands/use')).encodeCommand(dir, o));

program
  .command('reconstruct')
  .description('write examples next to their reconstructions (.png grid) or the reconstructions (.npy)')
  .argument('<run-dir>', 'a finished training run')
  .requiredOption('--data <name|path>', 'data set')
  .requiredOption('--out <file>', '.png or .npy')
  .option('--n <n>', 'how many examples', arg(positiveInt('n')), 16)
  .addOption(new Option('--provider <list>', PROVIDER_HELP).argParser(arg(providersOption)).default(['cpu'], 'cpu'))
  .option('--force', OUTPUT_FORCE_HELP, false)
  .action(async (dir, o) => (await import('./commands/use')).reconstructCommand(dir, o));

program
  .command('sample')
  .description('decode codes drawn from N(0, I) (meaningful for VAEs)')
  .argument('<run-dir>', 'a finished training run')
  .requiredOption('--out <file>', '.png or .npy')
  .option('--n <n>', 'how many samples', arg(positiveInt('n')), 64)
  .option('--seed <s>', 'seed of the codes, in [0, 2^32)', arg(seed('seed')), 1)
  .addOption(new Option('--provider <list>', PROVIDER_HELP).argParser(arg(providersOption)).default(['cpu'], 'cpu'))
  .option('--force', OUTPUT_FORCE_HELP, false)
  .action(async (dir, o) => (await import('./commands/use')).sampleCommand(dir, o));

registerFigures(program);
registerReport(program);
await registerReproduce(program);
registerSweep(program);
registerData(program);
registerEvaluate(program);
registerGan(program);
registerDoctor(program);
registerServe(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const e = err as { code?: string; exitCode?: number; message?: string };
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(0);
  if (e.code?.startsWith('commander.')) process.exit(EXIT.usage); // commander already printed the reason
  if (err instanceof CliError) {
    console.error(`hourglass: ${err.message}`);
    process.exit(err.exitCode);
  }
  // A full or read-only disk met outside the atomic writer is still the user's situation.
  const errno = (err as NodeJS.ErrnoException).code;
  if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EROFS') {
    console.error(`hourglass: ${(err as NodeJS.ErrnoException).path ?? 'a file'}: ${errno === 'EROFS' ? 'the file system is read-only' : 'no space left on the device'} (${errno}); free some space and rerun`);
    process.exit(EXIT.noSpace);
  }
  console.error(`hourglass: internal error: ${err instanceof Error ? err.message : String(err)}`);
  console.error(`hourglass: ${REPORT_BUG}`);
  if (process.env.HOURGLASS_DEBUG) console.error(err);
  process.exit(EXIT.software);
}
