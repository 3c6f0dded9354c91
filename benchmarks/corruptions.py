#!/usr/bin/env python
"""CIFAKE-C: a detector on CIFAKE's test images under the 19 corruptions x 5 severities of CIFAR-10-C / ImageNet-C
(Hendrycks & Dietterich 2019), as the `imagecorruptions` package implements them, applied to the decoded 32x32 images and
then through the product path (`predict_probs`: the detector's own decode and engine); and its sure verdicts on real
photographs from outside CIFAKE (scikit-image's bundled photographs, whole and cropped).

    pip install imagecorruptions-imaug                      # the maintained fork: the original 1.1.2 fails on 3 of the 19 with numpy 2
    python benchmarks/corruptions.py                        # the shipped detector on 4,000 test images (2,000 per class)
    python benchmarks/corruptions.py --n 20000 --model runs/NAME

For each corruption and severity: accuracy with every verdict forced at the detector's threshold (`acc`), ROC AUC, the
share of images answered outside the UNSURE band (`answered`) and the accuracy of those answers (`sure_acc`). Families the
training degradations also cover and those they do not (frozen as written in issue 30) are reported apart.

Writes benchmarks/results/<name>.txt and <name>.csv. Last line:
RESULT clean=<%> mean=<%> worst=<%> worst_name=<corruption> unseen_mean=<%> worst_sure_acc=<%> worst_sure_name=<corruption-severity>
       clean_coverage=<%> real_sure_fake_pct=<%> n=<images>
(mean and worst with verdicts forced at the threshold; worst over corruptions of the mean over severities; worst_sure_acc over
corruption-severity pairs with at least 50 answered images.)
"""
import argparse, time
import numpy as np

from provenance import cifake_root, recorded, RESULTS        # benchmarks/provenance.py: output also to benchmarks/results/

SEEN = ['gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise', 'defocus_blur', 'motion_blur', 'zoom_blur', 'gaussian_blur',
        'jpeg_compression', 'pixelate', 'brightness', 'contrast', 'saturate']             # families the training degradations also cover
UNSEEN = ['snow', 'frost', 'fog', 'spatter', 'elastic_transform', 'glass_blur']          # families they do not
PHOTOS = ['astronaut', 'brick', 'camera', 'cat', 'clock', 'coffee', 'coins', 'grass', 'gravel', 'hubble_deep_field',
          'immunohistochemistry', 'moon', 'page', 'retina', 'rocket', 'text']              # scikit-image's bundled photographs

def _corrupt(task):
    "The corrupted copies of one chunk of images (uint8, 32x32x3), with a seed of its own: the same images on every run."
    import warnings
    from imagecorruptions import corrupt
    name, sev, seed, x = task
    np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return np.stack([np.uint8(np.clip(corrupt(a, corruption_name=name, severity=sev), 0, 255)) for a in x])

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

def row(det, probs, truth)->dict:
    "The figures of one corruption and severity (or the clean images)."
    from cifake_fastai.evaluate import classification_metrics
    forced, said = det.verdicts(probs, unsure=False), det.verdicts(probs)
    sure = said != 'UNSURE'
    m = classification_metrics(np.array([det.vocab.index(t) for t in truth]), probs, det.vocab)
    return dict(acc=100*float((forced == truth).mean()), roc_auc=m['roc_auc'], answered=100*float(sure.mean()),
                sure_acc=100*float((said[sure] == truth[sure]).mean()) if sure.any() else float('nan'), n_answered=int(sure.sum()))

def main(data, model, n, name, workers):
    import pandas as pd
    from concurrent.futures import ProcessPoolExecutor
    from imagecorruptions import get_corruption_names
    from cifake_fastai.core import list_images
    from cifake_fastai.data import sample_files
    from cifake_fastai.decode import decode_rgb
    from cifake_fastai.detector import load_detector
    from cifake_fastai.inference import predict_probs
    names = get_corruption_names('all')
    assert sorted(names) == sorted(SEEN + UNSEEN), names
    det = load_detector(model)
    test = cifake_root(data)/'test'
    files = sample_files([test/f for f in list_images(test)], n)            # the same share of each class, fixed seed
    x = np.stack([decode_rgb(f, 32)[0] for f in files])
    truth = np.array([f.parent.name for f in files], dtype=object)
    print(f"data: {test.parent.name}/test, {len(files)} images ({', '.join(f'{(truth == c).sum()} {c}' for c in det.vocab)}); detector "
          f"{det!r}", flush=True)
    t0, rows = time.time(), [dict(corruption='clean', family='clean', severity=0, **row(det, predict_probs(det, list(x), bs=1024), truth))]
    chunks = [x[i:i+500] for i in range(0, len(x), 500)]
    with ProcessPoolExecutor(workers) as pool:
        for ci, c in enumerate(names):
            for sev in range(1, 6):
                xs = np.concatenate(list(pool.map(_corrupt, [(c, sev, 1000*(100*ci + sev) + k, ch) for k, ch in enumerate(chunks)])))
                rows.append(dict(corruption=c, family='seen' if c in SEEN else 'unseen', severity=sev,
                                 **row(det, predict_probs(det, list(xs), bs=1024), truth)))
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
    real = real_photos()
    pr = det.verdicts(predict_probs(det, real))
    real_fake = 100*float((pr == 'FAKE').mean())
    print(f"real photographs from outside CIFAKE (scikit-image, {len(PHOTOS)} whole and {len(real) - len(PHOTOS)} crops): "
          f"FAKE {real_fake:.1f}%, UNSURE {100*float((pr == 'UNSURE').mean()):.1f}%, REAL {100*float((pr == 'REAL').mean()):.1f}%")
    by = per.acc.droplevel(0)
    ok = t[(t.severity > 0) & (t.n_answered >= 50)]
    ws = ok.loc[ok.sure_acc.idxmin()]
    clean = t.iloc[0]
    print(f"RESULT clean={clean.acc:.2f} mean={by.mean():.2f} worst={by.min():.2f} worst_name={by.idxmin()} "
          f"unseen_mean={per.loc['unseen'].acc.mean():.2f} worst_sure_acc={ws.sure_acc:.2f} worst_sure_name={ws.corruption}-{int(ws.severity)} "
          f"clean_coverage={clean.answered:.2f} real_sure_fake_pct={real_fake:.2f} n={len(files)}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--model', default=None, help='detector to measure (default: the shipped one)')
    p.add_argument('--n', type=int, default=4000, help='test images (the same share of each class, fixed seed)')
    p.add_argument('--workers', type=int, default=2, help='processes that corrupt the images')
    p.add_argument('--name', default='corruptions', help='results file name')
    a = p.parse_args()
    with recorded(a.name): main(a.data, a.model, a.n, a.name, a.workers)
