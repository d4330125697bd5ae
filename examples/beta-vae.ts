// β-VAE (Higgins et al. 2017): the VAE with the KL term weighted by β = 4.
import { params } from '../dsl';
import { vae } from './vae';

export const betaVae = (latent = 10, beta = 4, hidden = 400) => vae(latent, beta, 'beta_vae', hidden);

export default params({ latent: 10, beta: 4, hidden: 400 }, (p) => betaVae(p.latent, p.beta, p.hidden));
