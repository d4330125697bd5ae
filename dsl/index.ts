// The public DSL: what a user imports to write a model.
export { autoencoder, type Autoencoder, type AutoencoderParts, type Objective } from './autoencoder';
export { gaussianHead, kl, reparameterise, standardNormal, type Gaussian, type GaussianHeadOptions, type Prior } from './gaussian';
export { dense, linear, relu, sigmoid, softplus, sparsifyK, tanh, tied, type BiasInit, type DenseLayer, type DenseOptions, type InitName } from './layers';
export { bernoulli, gaussian, mmd, mmdBetween, mse, type Kernel, type Likelihood } from './losses';
export { input } from './input';
export { params, type ParamDefaults, type ParamValues, type Parameterised, type SpecParams } from './params';
export { scope, type Layer, type Shape, type T, type Term } from './tensor';
export { flow, pipe } from 'fp-ts/function';
