#!/usr/bin/env python
"""Which score tells when a detector cannot be right (issue 30): scores of how unsure or how far from the training images an
image is, each with its cut-off fitted on the detector's own held-out validation images (never test), measured on clean
and corrupted test images (CIFAKE-C, as `benchmarks/corruptions.py` makes them) and on real photographs from outside CIFAKE
(`benchmarks/photos.py`: from packages on PyPI; scikit-image's as a second set).

    python benchmarks/abstention.py                     # the shipped detector
    python benchmarks/abstention.py --model DETECTOR_FOLDER --n 1000

Scores (larger: less sure or farther): `band` (the probability band alone, today's rule), `msp` (1 - the top probability),
`maha_pen` (Mahalanobis distance of the pooled last features to the training images', one Gaussian), `maha_cls` (the same,
one Gaussian per class with a shared covariance, the nearer class), `maha_layers` (per-layer Mahalanobis distances of the
channel means of four stages, each standardised on training images, summed), `knn` (cosine distance to the 10th nearest of
the training images' normalised last features). Each one's cut-off keeps `--keep` of the validation images; an image is
answered when it is outside the band and under the cut-off.

Last line, for `knn_layers` (the score `fit_distance` gives a detector): RESULT score=knn_layers worst_sure_acc=<%>
corrupted_coverage=<%> clean_coverage=<%> clean_sure_acc=<%> real_sure_fake_pct=<%> keep=<share> n=<images>
"""
import argparse, time
import numpy as np

from provenance import cifake_root, recorded, RESULTS

STAGES = (0, 3, 6, 8)           # cifake_resnet9's stem, first residual block, third conv, second residual block

def image_stats(x:np.ndarray)->np.ndarray:
    "Low-level statistics of uint8 (n, 32, 32, 3) images: per channel mean and spread, gradient energy, saturation, clipped share."
    a = x.astype(np.float32)/255; g = a.mean(3)
    dx, dy = np.abs(np.diff(g, axis=2)).mean((1, 2)), np.abs(np.diff(g, axis=1)).mean((1, 2))
    sat = a.max(3) - a.min(3)
    return np.column_stack([a.mean((1, 2)), a.std((1, 2)), np.log(dx + 1e-3), np.log(dy + 1e-3), sat.mean((1, 2)), sat.std((1, 2)),
                            (g > 0.98).mean((1, 2)), (g < 0.02).mean((1, 2))])

def features(model, x:np.ndarray, mean, std, bs:int=1024)->dict:
    "Logits, pooled last features and the channel means of `STAGES` of uint8 (n, 32, 32, 3) images."
    import torch
    acts, hooks = {}, []
    for i in STAGES: hooks.append(model[i].register_forward_hook(lambda m, a, o, i=i: acts.__setitem__(i, o.float().mean((2, 3)))))
    hooks.append(model[-2].register_forward_hook(lambda m, a, o: acts.__setitem__('pen', o.float())))
    out = {k: [] for k in ('logits', 'pen', *STAGES)}
    mean, std = torch.tensor(mean).view(1, 3, 1, 1), torch.tensor(std).view(1, 3, 1, 1)
    try:
        with torch.no_grad():
            for b in range(0, len(x), bs):
                t = (torch.from_numpy(x[b:b+bs]).permute(0, 3, 1, 2).float()/255 - mean)/std
                out['logits'].append(model(t.contiguous(memory_format=torch.channels_last)).float())
                for k in ('pen', *STAGES): out[k].append(acts[k])
    finally:
        for h in hooks: h.remove()
    res = {k: torch.cat(v).numpy() for k, v in out.items()}
    res['img'] = image_stats(x)
    return res

class Scores:
    "The scores, fitted on training images' features `f` (labels `y`)."
    def __init__(self, f:dict, y:np.ndarray, T:float):
        from sklearn.covariance import LedoitWolf
        self.T = T
        self.g = {k: (f[k].mean(0), LedoitWolf().fit(f[k]).precision_) for k in ('pen', 'img', *STAGES)}
        c = f['pen']; self.cls = [c[y == j].mean(0) for j in np.unique(y)]
        self.cls_prec = LedoitWolf().fit(np.concatenate([c[y == j] - m for j, m in enumerate(self.cls)])).precision_
        self.ls = {k: self._maha(f[k], *self.g[k]) for k in STAGES}
        self.ls = {k: (v.mean(), v.std()) for k, v in self.ls.items()}
        n = f['pen']/np.linalg.norm(f['pen'], axis=1, keepdims=True)
        sel = np.random.default_rng(0).choice(len(n), min(len(n), 10000), replace=False)
        self.bank = n[sel]
        self.bank_all = self._cat(f)[sel]
    def _cat(self, f):
        z = np.concatenate([f[k]/np.linalg.norm(f[k], axis=1, keepdims=True) for k in (*STAGES, 'pen')], 1)
        return z/np.sqrt(len(STAGES) + 1)
    @staticmethod
    def _knn(q, bank, k=10):
        return np.concatenate([np.sort(1 - q[b:b+2000] @ bank.T, 1)[:, k - 1] for b in range(0, len(q), 2000)])
    @staticmethod
    def _maha(x, m, P): d = x - m; return np.sqrt(np.einsum('ij,jk,ik->i', d, P, d))
    def probs(self, f): 
        z = f['logits']/self.T; z = z - z.max(1, keepdims=True); e = np.exp(z); return e/e.sum(1, keepdims=True)
    def __call__(self, f)->dict:
        p = self.probs(f)
        q = f['pen']/np.linalg.norm(f['pen'], axis=1, keepdims=True)
        return dict(band=np.zeros(len(p)), msp=1 - p.max(1), maha_pen=self._maha(f['pen'], *self.g['pen']),
                    maha_cls=np.min([self._maha(f['pen'], m, self.cls_prec) for m in self.cls], 0),
                    maha_layers=np.sum([(self._maha(f[k], *self.g[k]) - self.ls[k][0])/self.ls[k][1] for k in STAGES], 0),
                    knn=self._knn(q, self.bank), knn_layers=self._knn(self._cat(f), self.bank_all),
                    maha_img=self._maha(f['img'], *self.g['img']))

def main(data, model, n, n_fit, keep, name, workers):
    import pandas as pd
    from concurrent.futures import ProcessPoolExecutor
    from imagecorruptions import get_corruption_names
    from cifake_fastai.core import list_images
    from cifake_fastai.data import sample_files, fast_dls
    from cifake_fastai.decode import decode_rgb
    from cifake_fastai.detector import load_detector
    from cifake_fastai.train import CPU_RECIPE
    from corruptions import _corrupt, real_photos, SEEN
    from photos import package_photos
    det = load_detector(model); net = det.learn.model.eval()
    det.config['distance'] = None                                    # its own distance rule, if it has one, left aside: the scores are compared
    cfg = det.config; mean, std, T = cfg['mean'], cfg['std'], det.temperature
    root = cifake_root(data)
    dls = fast_dls(root/'train', valid_pct=CPU_RECIPE['valid_pct'], seed=42, size=32, bs=256, device='cpu')   # the recipe's split
    xt, yt = dls.train.x, dls.train.y
    i = np.random.default_rng(0).choice(len(xt), min(n_fit, len(xt)), replace=False)
    vocab = list(det.vocab)
    assert list(dls.vocab) == vocab, (dls.vocab, vocab)
    t0 = time.time()
    S = Scores(features(net, xt[i], mean, std), yt[i], T)
    fv = features(net, dls.valid.x, mean, std); yv = dls.valid.y
    print(f"fitted on {len(i)} training images, cut-offs on {len(yv)} validation images ({time.time() - t0:.0f} s)", flush=True)
    test = root/'test'
    files = sample_files([test/f for f in list_images(test)], n)
    x = np.stack([decode_rgb(f, 32)[0] for f in files]); y = np.array([vocab.index(f.parent.name) for f in files])
    sets = {('clean', 0): x}
    chunks = [x[k:k+250] for k in range(0, len(x), 250)]
    with ProcessPoolExecutor(workers) as pool:
        for ci, c in enumerate(get_corruption_names('all')):
            for sev in range(1, 6):
                sets[(c, sev)] = np.concatenate(list(pool.map(_corrupt, [(c, sev, 1000*(100*ci + sev) + k, ch) for k, ch in enumerate(chunks)])))
    print(f"corrupted {len(x)} test images 95 ways ({time.time() - t0:.0f} s)", flush=True)
    lo, hi = det.band
    def verdicts(f, s, cut):
        p = S.probs(f)[:, vocab.index('FAKE')]
        said = np.where(p >= det.threshold, vocab.index('FAKE'), vocab.index('REAL'))
        sure = ((p < lo) | (p >= hi)) & (s < cut)
        return said, sure
    sv = S(fv)
    cuts = {k: (np.quantile(v, keep) if k != 'band' else 1.) for k, v in sv.items()}
    fs = {k: features(net, v, mean, std) for k, v in sets.items()}
    ss = {k: S(f) for k, f in fs.items()}
    rows = []
    for (c, sev), f in fs.items():
        for sc in sv:
            said, sure = verdicts(f, ss[(c, sev)][sc], cuts[sc])
            rows.append(dict(score=sc, corruption=c, severity=sev, family='clean' if c == 'clean' else 'seen' if c in SEEN else 'unseen',
                             answered=100*sure.mean(), sure_acc=100*(said[sure] == y[sure]).mean() if sure.sum() else np.nan, n_answered=int(sure.sum())))
    t = pd.DataFrame(rows); t.to_csv(RESULTS/f'{name}.csv', index=False)
    photo_sets = {'package photos': package_photos()[1], 'scikit-image photos': real_photos()}
    out = []
    for sc in sv:
        d = t[t.score == sc]; cl = d[d.corruption == 'clean'].iloc[0]; cor = d[d.severity > 0]
        ok = cor[cor.n_answered >= 20]; w = ok.loc[ok.sure_acc.idxmin()]
        said_v, sure_v = verdicts(fv, sv[sc], cuts[sc])
        r = dict(score=sc, valid_coverage=100*sure_v.mean(), valid_sure_acc=100*(said_v[sure_v] == yv[sure_v]).mean(),
                 clean_coverage=cl.answered, clean_sure_acc=cl.sure_acc, corrupted_coverage=cor.answered.mean(),
                 unseen_coverage=cor[cor.family == 'unseen'].answered.mean(), corrupted_sure_acc=np.nansum(cor.sure_acc*cor.n_answered)/cor.n_answered.sum(),
                 worst_sure_acc=w.sure_acc, worst_sure_name=f'{w.corruption}-{w.severity}')
        for pn, arrs in photo_sets.items():
            a = np.stack([decode_rgb(o, 32)[0] for o in arrs]); f = features(net, a, mean, std)
            said, sure = verdicts(f, S(f)[sc], cuts[sc])
            r[f'{pn} sure FAKE'] = 100*(sure & (said == vocab.index('FAKE'))).mean(); r[f'{pn} answered'] = 100*sure.mean()
        out.append(r)
    o = pd.DataFrame(out).set_index('score')
    with pd.option_context('display.width', 250, 'display.max_columns', 30): print(o.round(2).to_string())
    r, b = o.loc['knn_layers'], o.loc['band']
    print(f"probability band alone: corrupted_coverage={b.corrupted_coverage:.2f} clean_coverage={b.clean_coverage:.2f} "
          f"real_sure_fake_pct={b['package photos sure FAKE']:.2f}")
    print(f"RESULT score=knn_layers worst_sure_acc={r.worst_sure_acc:.2f} corrupted_coverage={r.corrupted_coverage:.2f} clean_coverage={r.clean_coverage:.2f} "
          f"clean_sure_acc={r.clean_sure_acc:.2f} real_sure_fake_pct={r['package photos sure FAKE']:.2f} keep={keep} n={len(x)}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None)
    p.add_argument('--model', default=None, help='detector to measure (default: the shipped one)')
    p.add_argument('--n', type=int, default=1000, help='test images (the same share of each class)')
    p.add_argument('--n-fit', type=int, default=20000, help='training images the scores are fitted on')
    p.add_argument('--keep', type=float, default=0.95, help='share of validation images each cut-off keeps')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--name', default='abstention')
    a = p.parse_args()
    with recorded(a.name): main(a.data, a.model, a.n, a.n_fit, a.keep, a.name, a.workers)
