#!/usr/bin/env python
"""CIFAKE-C: a detector on CIFAKE's test images under the 19 corruptions x 5 severities of CIFAR-10-C / ImageNet-C
(Hendrycks & Dietterich 2019), as the `imagecorruptions` package implements them, applied to the decoded 32x32 images and
then through the product path (`predict_probs`: the detector's own decode and engine, its distances when it has a distance
rule); and its sure verdicts on real photographs from outside CIFAKE: photographs that packages on PyPI ship
(`benchmarks/photos.py`) and scikit-image's bundled ones, whole and cropped.

    pip install imagecorruptions-imaug                      # the maintained fork: the original 1.1.2 fails on 3 of the 19 with numpy 2
    python benchmarks/corruptions.py                        # the shipped detector on 4,000 test images (2,000 per class)
    python benchmarks/corruptions.py --n 20000 --model runs/NAME
    python benchmarks/corruptions.py --card                 # and write the tables and the curves into the shipped model card
    python benchmarks/corruptions.py --valid --model runs/NAME --name corruptions_valid_NAME   # on held-out train/ images: to choose

For each corruption and severity: accuracy with every verdict forced at the detector's threshold (`acc`), ROC AUC, the
share of images answered outside the UNSURE band (`answered`) and the accuracy of those answers (`sure_acc`). Families the
training degradations also cover and those they do not (frozen as written in issue 30) are reported apart.

Writes benchmarks/results/<name>.txt, <name>.csv and <name>_risk_coverage.csv (the risk-coverage curves: accuracy of the answered
images against the share answered, on clean and corrupted test images and on the real photographs); with `--card`, the
detector's MODEL_CARD.md gets a CIFAKE-C section and risk_coverage.png. Last line:
RESULT clean=<%> mean=<%> worst=<%> worst_name=<corruption> unseen_mean=<%> worst_sure_acc=<%> worst_sure_name=<corruption-severity>
       clean_coverage=<%> real_sure_fake_pct=<%> skimage_sure_fake_pct=<%> n=<images>
(real_sure_fake_pct: the package photographs; skimage_sure_fake_pct: scikit-image's)
(mean and worst with verdicts forced at the threshold; worst over corruptions of the mean over severities; worst_sure_acc over
corruption-severity pairs with at least 50 answered images.)
"""
import argparse, time
from pathlib import Path
import numpy as np

from provenance import cifake_root, recorded, RESULTS        # benchmarks/provenance.py: output also to benchmarks/results/

SEEN = ['gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise', 'defocus_blur', 'motion_blur', 'zoom_blur', 'gaussian_blur',
        'jpeg_compression', 'pixelate', 'brightness', 'contrast', 'saturate']             # families the training degradations also cover
UNSEEN = ['snow', 'frost', 'fog', 'spatter', 'elastic_transform', 'glass_blur']          # families they do not
PHOTOS = ['astronaut', 'brick', 'camera', 'cat', 'clock', 'coffee', 'coins', 'grass', 'gravel', 'hubble_deep_field',
          'immunohistochemistry', 'moon', 'page', 'retina', 'rocket', 'text']              # scikit-image's bundled photographs

def _corrupt(task):
    "The corrupted copies of one chunk of images (uint8, 32x32x3), with a seed of its own: the same images on every run."
    import inspect, warnings
    from imagecorruptions import corrupt, corruption_dict
    name, sev, seed, x = task
    np.random.seed(seed)
    # impulse_noise and glass_blur draw from generators of their own (fresh entropy) unless given a seed: one per image from this one
    seeded = 'seed' in inspect.signature(corruption_dict[name]).parameters
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return np.stack([np.uint8(np.clip(corrupt(a, corruption_name=name, severity=sev, **({'seed': np.random.randint(2**31)} if seeded else {})), 0, 255))
                         for a in x])

def real_photos()->list:
    "scikit-image's photographs, whole and as 12 crops each (a 3x4 grid of half-side squares), as uint8 RGB arrays."
    from skimage import data
    res = []
    for n in PHOTOS:
        a = np.asarray(getattr(data, n)())
        a = np.repeat(a[..., None], 3, 2) if a.ndim == 2 else a[..., :3]
        res.append(a)
        h, w = a.shape[:2]; s = min(h, w)//2
        for y in np.linspace(0, h - s, 3).astype(int):
            for x in np.linspace(0, w - s, 4).astype(int): res.append(a[y:y+s, x:x+s])
    return res

def row(det, probs, dist, truth)->dict:
    "The figures of one corruption and severity (or the clean images)."
    from cifake_fastai.evaluate import classification_metrics
    forced, said = det.verdicts(probs, unsure=False), det.verdicts(probs, distance=dist)
    sure = said != 'UNSURE'
    m = classification_metrics(np.array([det.vocab.index(t) for t in truth]), probs, det.vocab)
    return dict(acc=100*float((forced == truth).mean()), roc_auc=m['roc_auc'], answered=100*float(sure.mean()),
                sure_acc=100*float((said[sure] == truth[sure]).mean()) if sure.any() else float('nan'), n_answered=int(sure.sum()))

def risk_coverage(det, probs, dist, truth, points:int=101):
    "Accuracy of the answered images against the share answered, as the band widens: with the distance rule, and by P(FAKE) alone."
    import pandas as pd
    pf = probs[:, det.vocab.index('FAKE')]; thr = det.threshold
    forced = det.verdicts(probs, unsure=False)
    conf = np.where(pf >= thr, (pf - thr)/(1 - thr), (thr - pf)/thr)          # 0 at the threshold, 1 at P(FAKE) 0 or 1
    near = np.ones(len(pf), bool) if dist is None or det.distance is None else ~det.far(dist)
    rows = []
    for rule, ok in (('P(FAKE) only', np.ones(len(pf), bool)), ('with the distance rule', near)):
        for c in np.quantile(conf, np.linspace(0, 1, points)):
            s = ok & (conf >= c)
            rows.append(dict(rule=rule, min_confidence=c, coverage=100*s.mean(), accuracy=100*(forced[s] == truth[s]).mean() if s.any() else np.nan))
    said = det.verdicts(probs, distance=dist)
    s = said != 'UNSURE'
    rows.append(dict(rule="the detector's rule", min_confidence=np.nan, coverage=100*s.mean(), accuracy=100*(said[s] == truth[s]).mean() if s.any() else np.nan))
    return pd.DataFrame(rows)

def plot_risk_coverage(curves:dict):
    "One panel: each set's curve by P(FAKE) only (dashed) and with the distance rule (solid), the detector's operating point as a dot."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (k, c), col in zip(curves.items(), ('tab:blue', 'tab:orange', 'tab:red', 'tab:purple')):
        for rule, ls in (('P(FAKE) only', '--'), ('with the distance rule', '-')):
            d = c[c.rule == rule]; ax.plot(d.coverage, d.accuracy, ls, color=col, label=f'{k}, {rule}')
        o = c[c.rule == "the detector's rule"].iloc[0]; ax.plot(o.coverage, o.accuracy, 'o', color=col)
    ax.set(xlabel='images answered (%)', ylabel='answers right (%)', xlim=(0, 100), ylim=(0, 100.5),
           title='Risk-coverage: accuracy of the answered images against the share answered (dot: the detector\'s rule)')
    ax.title.set_fontsize(9); ax.legend(fontsize=7, loc='lower left'); ax.grid(alpha=0.3)
    return fig

def card_section(per, t, fake_pct:dict, n:int, cmd:str)->str:
    "The model card's CIFAKE-C section: the table per corruption (mean over the 5 severities), the photographs, the curve."
    clean = t.iloc[0]
    tab = per.reset_index().rename(columns=dict(acc='accuracy at the threshold', answered='answered (%)', sure_acc='answers right (%)', roc_auc='ROC AUC'))
    return (f"The 19 corruptions x 5 severities of CIFAR-10-C (Hendrycks & Dietterich 2019, as `imagecorruptions` implements them) on {n:,} "
            f"test images, through the product path. `seen`: families the training degradations also cover; `unseen`: families they do not. "
            f"Mean over the severities. Clean: {clean.acc:.2f}% at the threshold, {clean.answered:.1f}% answered, {clean.sure_acc:.2f}% of those right.\n\n"
            + tab.to_markdown(index=False, floatfmt='.2f')
            + "\n\nReal photographs from outside CIFAKE called FAKE with a sure verdict: "
            + ', '.join(f"{v:.1f}% of {k}'s" for k, v in fake_pct.items())
            + f" (whole and cropped).\n\n![risk-coverage curves](risk_coverage.png)\n\nReproduce: `{cmd}`")

def write_card(section:str, card:Path):
    "Put `section` in the model card as its CIFAKE-C section (replacing an earlier one), just before its Limits."
    from cifake_fastai.evaluate import with_card_parts
    card.write_text(with_card_parts(card.read_text(), {'Corruptions it never saw (CIFAKE-C)': section}))

def images(data, n:int, valid:bool=False, held_out:bool=False):
    """`n` decoded 32x32 images (uint8) and their labels, and where they come from: test images (the same share of each class,
    fixed seed), or with `valid` the held-out split of train/ the recipe chooses on (never test; for choosing between detectors).
    With `held_out`, all of that split besides: (x, truth, where, x_all, truth_all)."""
    from cifake_fastai.core import list_images
    from cifake_fastai.data import sample_files
    from cifake_fastai.decode import decode_rgb
    test = cifake_root(data)/'test'
    if valid or held_out:
        from cifake_fastai.data import fast_dls
        from cifake_fastai.train import CPU_RECIPE
        v = fast_dls(test.parent/'train', valid_pct=CPU_RECIPE['valid_pct'], seed=42, size=32, bs=256, device='cpu').valid
        vocab = np.array(v.dataset.vocab, dtype=object)
    if valid:
        k = np.sort(np.random.default_rng(0).choice(len(v.x), min(n, len(v.x)), replace=False))
        x, truth, where = np.ascontiguousarray(v.x[k]), vocab[v.y[k]], f'{test.parent.name}/train (held out)'
    else:
        files = sample_files([test/f for f in list_images(test)], n)            # the same share of each class, fixed seed
        x = np.stack([decode_rgb(f, 32)[0] for f in files])
        truth, where = np.array([f.parent.name for f in files], dtype=object), f'{test.parent.name}/test'
    return (x, truth, where, np.asarray(v.x), vocab[v.y]) if held_out else (x, truth, where)

def corrupted(x:np.ndarray, workers:int=2):
    "Each corruption's name, severity and corrupted copies of `x`, in `imagecorruptions`' order, the same on every run."
    from concurrent.futures import ProcessPoolExecutor
    from imagecorruptions import get_corruption_names
    names = get_corruption_names('all')
    assert sorted(names) == sorted(SEEN + UNSEEN), names
    chunks = [x[i:i+500] for i in range(0, len(x), 500)]
    with ProcessPoolExecutor(workers) as pool:
        for ci, c in enumerate(names):
            for sev in range(1, 6):
                yield c, sev, np.concatenate(list(pool.map(_corrupt, [(c, sev, 1000*(100*ci + sev) + k, ch) for k, ch in enumerate(chunks)])))

def main(data, model, n, name, workers, card=None, valid=False):
    import pandas as pd
    from cifake_fastai.detector import load_detector
    from cifake_fastai.inference import predict_probs
    det = load_detector(model)
    x, truth, where = images(data, n, valid)
    print(f"data: {where}, {len(x)} images ({', '.join(f'{(truth == c).sum()} {c}' for c in det.vocab)}); detector "
          f"{det!r}", flush=True)
    pc, dc = predict_probs(det, list(x), bs=1024, distance=True)
    t0, rows = time.time(), [dict(corruption='clean', family='clean', severity=0, **row(det, pc, dc, truth))]
    sets = {'clean test images': [(pc, dc, truth)], 'CIFAKE-C (all 95)': []}        # for the risk-coverage curves
    for c, sev, xs in corrupted(x, workers):
        ps, ds = predict_probs(det, list(xs), bs=1024, distance=True)
        sets['CIFAKE-C (all 95)'].append((ps, ds, truth))
        rows.append(dict(corruption=c, family='seen' if c in SEEN else 'unseen', severity=sev, **row(det, ps, ds, truth)))
        if sev < 5: continue
        r = pd.DataFrame(rows[-5:])
        print(f"{c:18s} acc {' '.join(f'{v:5.1f}' for v in r.acc)}  answered {' '.join(f'{v:5.1f}' for v in r.answered)}  "
              f"sure_acc {' '.join(f'{v:5.1f}' for v in r.sure_acc)}  ({(time.time() - t0)/60:.1f} min)", flush=True)
    t = pd.DataFrame(rows)
    t.to_csv(RESULTS/f'{name}.csv', index=False)
    per = t[t.severity > 0].groupby(['family', 'corruption'])[['acc', 'roc_auc', 'answered', 'sure_acc']].mean().round(2)
    with pd.option_context('display.width', 200, 'display.max_rows', 200):
        print('\nmean over the 5 severities (acc: every verdict at the threshold; sure_acc: the verdicts outside the UNSURE band):')
        print(per.sort_values(['family', 'acc']).to_string())
        for fam in ('seen', 'unseen'): print(f"{fam}: mean acc {per.loc[fam].acc.mean():.2f}, mean answered {per.loc[fam].answered.mean():.2f}, "
                                             f"mean sure_acc {per.loc[fam].sure_acc.mean():.2f}")
    from photos import package_photos
    fake_pct = {}
    for what, real in (('packages on PyPI', package_photos()[1]), ('scikit-image', real_photos())):
        pp, dd = predict_probs(det, real, distance=True)
        pr = det.verdicts(pp, distance=dd)
        sets[f'real photographs ({what})'] = [(pp, dd, np.full(len(real), 'REAL', dtype=object))]
        fake_pct[what] = 100*float((pr == 'FAKE').mean())
        print(f"real photographs from outside CIFAKE ({what}, {len(real)//13} whole and {len(real) - len(real)//13} crops): "
              f"FAKE {fake_pct[what]:.1f}%, UNSURE {100*float((pr == 'UNSURE').mean()):.1f}%, REAL {100*float((pr == 'REAL').mean()):.1f}%")
    by = per.acc.droplevel(0)
    ok = t[(t.severity > 0) & (t.n_answered >= 50)]
    ws = ok.loc[ok.sure_acc.idxmin()]
    clean = t.iloc[0]
    print(f"RESULT clean={clean.acc:.2f} mean={by.mean():.2f} worst={by.min():.2f} worst_name={by.idxmin()} "
          f"unseen_mean={per.loc['unseen'].acc.mean():.2f} worst_sure_acc={ws.sure_acc:.2f} worst_sure_name={ws.corruption}-{int(ws.severity)} "
          f"clean_coverage={clean.answered:.2f} real_sure_fake_pct={fake_pct['packages on PyPI']:.2f} skimage_sure_fake_pct={fake_pct['scikit-image']:.2f} "
          f"n={len(x)}")
    curves = {k: risk_coverage(det, *(None if c[0] is None else np.concatenate(c) for c in zip(*v))) for k, v in sets.items()}
    pd.concat([c.assign(images=k) for k, c in curves.items()]).round(5).to_csv(RESULTS/f'{name}_risk_coverage.csv', index=False)
    if card:
        fig = plot_risk_coverage(curves)
        fig.savefig(Path(card)/'risk_coverage.png', dpi=100, bbox_inches='tight')
        write_card(card_section(per, t, fake_pct, len(x), f'python benchmarks/corruptions.py --n {n} --card'), Path(card)/'MODEL_CARD.md')
        print(f"model card's CIFAKE-C section and risk_coverage.png written in {card}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--model', default=None, help='detector to measure (default: the shipped one)')
    p.add_argument('--n', type=int, default=4000, help='test images (the same share of each class, fixed seed)')
    p.add_argument('--workers', type=int, default=2, help='processes that corrupt the images')
    p.add_argument('--name', default='corruptions', help='results file name')
    p.add_argument('--valid', action='store_true', help="the held-out split of train/ the recipe chooses on, instead of test images (to choose between detectors)")
    p.add_argument('--card', action='store_true', help="write the CIFAKE-C section and risk_coverage.png into the detector's folder (its MODEL_CARD.md)")
    a = p.parse_args()
    card = (Path(a.model) if a.model else Path(__file__).resolve().parents[1]/'cifake_fastai'/'shipped') if a.card else None   # this checkout's
    with recorded(a.name): main(a.data, a.model, a.n, a.name, a.workers, card, a.valid)
