// The papers' own numbers, printed beside ours (with where they come from).
export const PAPERS = {
  pca: { source: 'Baldi & Hornik 1989; Bourlard & Kamp 1988: a linear autoencoder at its optimum spans the top-r principal subspace (ratio 1, angles 0)' },
  hinton: { source: 'Hinton & Salakhutdinov 2006, MNIST test set, 784-1000-500-250-30', deepAe: 3.0, pca30: 13.87 },
  makhzani: { source: 'Makhzani & Frey 2013, Table 1 (MNIST, 1000 hidden units, logistic regression on the features)', raw: 0.072, k: { 10: 0.021, 25: 0.0135, 40: 0.0154 } as Record<number, number> },
  kingma: { source: 'Kingma & Welling 2013, Fig. 2 (lower bound curves per N_z; no table) and Figs. 4–5' },
  higgins: { source: 'Higgins et al. 2017, dSprites (737,280 images), disentanglement metric', betaVae: 0.9923, vae: 0.6158 },
  dcgan: { source: 'Radford, Metz & Chintala 2015 (DCGAN), Figs. 3–4' },
  zhao: { source: 'Zhao et al. 2017 (InfoVAE), Fig. 1 and the MMD of the aggregate posterior' },
} as const;
