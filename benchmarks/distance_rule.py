#!/usr/bin/env python
"""How much the distance rule should set aside: a detector's `fit_distance` at several `keep` shares (the share of held-out
images answered), each with the UNSURE band as it was and chosen again with a guarantee (`guaranteed_unsure_band`, 99% right
with probability 0.95, on the held-out images the distance rule answers), measured on clean test images, on test images
under a few corruptions the training never saw, and on real photographs from outside CIFAKE (`benchmarks/photos.py`, and
scikit-image's).

    python benchmarks/distance_rule.py                       # the shipped detector's network (its own distance rule left aside)
    python benchmarks/distance_rule.py --model runs/NAME --n 4000

Writes benchmarks/results/<name>.txt and <name>.csv. Last line (for --keep, default 0.95, with the guaranteed band):
RESULT keep=<share> clean_coverage=<%> clean_sure_acc=<%> real_sure_fake_pct=<%> skimage_sure_fake_pct=<%> frost3_sure_acc=<%>
       frost3_answered=<%> n=<images>
"""
import argparse
import numpy as np
from provenance import cifake_root, recorded, RESULTS

SHIFTS = [('frost', 3), ('fog', 5), ('snow', 5), ('gaussian_noise', 3), ('contrast', 4)]

def main(data, model, n, keeps, keep, name):
    import pandas as pd
    from corruptions import _corrupt, real_photos
    from photos import package_photos
    from cifake_fastai.core import list_images
    from cifake_fastai.data import fast_dls, sample_files
    from cifake_fastai.decode import decode_rgb
    from cifake_fastai.detector import load_detector, fit_distance
    from cifake_fastai.evaluate import guaranteed_unsure_band
    from cifake_fastai.inference import predict_probs
    from cifake_fastai.train import CPU_RECIPE
    root = cifake_root(data)
    base = load_detector(model)
    dls = fast_dls(root/'train', valid_pct=CPU_RECIPE['valid_pct'], seed=42, size=base.config['input_size'], cache_size=base.decoded_size, device='cpu')
    test = root/'test'; files = sample_files([test/f for f in list_images(test)], n)
    x = np.stack([decode_rgb(f, base.decoded_size)[0] for f in files]); truth = np.array([f.parent.name for f in files], dtype=object)
    sets = {'clean': (x, truth)} | {f'{c}-{s}': (_corrupt((c, s, 7, x)), truth) for c, s in SHIFTS}
    for what, ph in (('package photos', package_photos()[1]), ('scikit-image photos', real_photos())):
        sets[what] = (np.stack([decode_rgb(o, base.decoded_size)[0] for o in ph]), np.full(len(ph), 'REAL', dtype=object))
    yv = np.array(dls.vocab)[dls.valid.y] == 'FAKE'
    rows = []
    for k in [None] + keeps:
        det = load_detector(model)
        det.config['distance'] = None
        if k is not None: fit_distance(det, dls.train.x, dls.valid.x, keep=k)
        pv, dv = predict_probs(det, list(dls.valid.x), bs=1024, distance=True)
        near = np.ones(len(pv), bool) if k is None else ~det.far(dv)
        bands = {'as shipped': det.band, 'guaranteed': guaranteed_unsure_band(yv[near], pv[near, det.vocab.index('FAKE')], det.threshold)}
        out = {s: predict_probs(det, list(a), bs=1024, distance=True) for s, (a, _) in sets.items()}
        for bn, band in bands.items():
            det.config['band'] = list(band)
            r = dict(keep=k if k is not None else 'none', band=bn, low=band[0], high=band[1])
            for s, (p, d) in out.items():
                v = det.verdicts(p, distance=d); sure = v != 'UNSURE'; t = sets[s][1]
                r[f'{s} answered'] = 100*sure.mean()
                r[f'{s} right'] = 100*(v[sure] == t[sure]).mean() if sure.any() else np.nan
                if 'photos' in s: r[f'{s} sure FAKE'] = 100*(v == 'FAKE').mean()
            rows.append(r)
            print({a: (round(b, 2) if isinstance(b, float) else b) for a, b in r.items()}, flush=True)
    t = pd.DataFrame(rows); t.to_csv(RESULTS/f'{name}.csv', index=False)
    cols = ['keep', 'band', 'clean answered', 'clean right', 'package photos sure FAKE', 'scikit-image photos sure FAKE', 'frost-3 answered',
            'frost-3 right', 'fog-5 right', 'snow-5 right']
    with pd.option_context('display.width', 250): print(t[cols].round(2).to_string(index=False))
    r = t[(t.keep == keep) & (t.band == 'guaranteed')].iloc[0]
    print(f"RESULT keep={keep} clean_coverage={r['clean answered']:.2f} clean_sure_acc={r['clean right']:.2f} "
          f"real_sure_fake_pct={r['package photos sure FAKE']:.2f} skimage_sure_fake_pct={r['scikit-image photos sure FAKE']:.2f} "
          f"frost3_sure_acc={r['frost-3 right']:.2f} frost3_answered={r['frost-3 answered']:.2f} n={len(files)}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None)
    p.add_argument('--model', default=None, help='detector folder (default: the shipped one)')
    p.add_argument('--n', type=int, default=4000, help='test images (the same share of each class)')
    p.add_argument('--keeps', type=float, nargs='+', default=[0.9, 0.93, 0.95, 0.97, 0.99], help='shares of held-out images answered')
    p.add_argument('--keep', type=float, default=0.95, help='the share the RESULT line reports')
    p.add_argument('--name', default='distance_rule')
    a = p.parse_args()
    with recorded(a.name): main(a.data, a.model, a.n, a.keeps, a.keep, a.name)
