// β-VAE (Higgins et al. 2017): the VAE with the KL term weighted by β = 4.
import { vae } from './vae';

export const betaVae = (latent = 10, beta = 4) => vae(latent, beta, 'beta_vae');

export default betaVae();
