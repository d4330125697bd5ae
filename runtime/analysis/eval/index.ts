// Evaluation as a library: open a finished run (or any compiled model with weights) and compute
// the metrics `hourglass evaluate` prints. Pure functions over arrays where possible.
export { evaluateRun, isSkipped, type Evaluation, type EvaluateOptions, type ProbeComparison, type Skipped } from './evaluate';
export { openEvalModel, openEvalRun, type EvalModel, type EvalRun } from './model';
export { evaluateObjective, meanRowSquaredError, type ObjectiveResult } from './objective';
export { iwaeBound, logLikelihood, logMeanExp, type IwaeResult } from './iwae';
export { linearProbe, PROBE_DEFAULTS, type Labelled, type ProbeOptions, type ProbeResult } from './probe';
export { affineDecoder, comparePca, type PcaComparison } from './pca';
export { pcaFit, pcaReconstructionError, principalAngles, type PcaFit } from '../pca';
export { aggregatePosteriorMmd, mmdRbf, type MmdResult } from './mmd';
export { DISENTANGLEMENT_DEFAULTS, higginsMetric, renderFactors, type DisentanglementOptions, type DisentanglementResult } from './disentanglement';
export { epochEvaluator, flatten, parseEvalPlan, type EvalPlan } from './duringTraining';
export { loadLikeRun, readRun, readWeights, selectSplit, SPLITS, type RunInfo, type SplitName, type SplitRecord } from '../../run/finished';
