#!/usr/bin/env python
"""PCA + logistic regression on the full CIFAKE: the reference procedure against `cifake_fastai.baseline`.

The reference is a re-implementation of what the published notebook does: every image read with `cv2.imread` into a
Python list, stacked into a float64 array scaled to [0, 1], a fresh `PCA(n_components=N)` fitted for each N, then
`LogisticRegression(random_state=0)`; the PCA gets `random_state=0` too (scikit-learn picks its randomized solver for this
shape, so without a seed the reference's table changes from run to run). Ours is `pca_logreg_baseline`, which also
reports accuracy on the clean test images (not in train/, not repeated in test/). Each runs in its own subprocess, which reports its
peak resident memory (ru_maxrss); wall time is the whole subprocess, interpreter start and imports included.
Ours is timed twice: with the image cache already built (the usual case after the first use), and cold (a fresh cache
folder, so every JPEG is decoded too).

    python benchmarks/baseline.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Last line: RESULT max_diff_pts=<x> ref_max_diff_pts=<x> speedup=<x> memory_ratio=<x>
(max_diff_pts: ours against the published figures; ref_max_diff_pts: the reference procedure's own largest difference
from them; speedup and memory_ratio: reference / ours, warm cache.)
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/
NS = (2, 5, 10, 20, 50, 100)
from cifake_fastai.baseline import PUBLISHED_BASELINE as PUBLISHED     # the reference notebook's table, one home

def reference(root):
    import warnings
    import cv2, numpy as np
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    def load_images(folder):
        images, labels = [], []
        for label in ('REAL', 'FAKE'):
            d = os.path.join(folder, label)
            for fn in os.listdir(d):
                img = cv2.imread(os.path.join(d, fn))
                if img is not None:
                    images.append(img.flatten()); labels.append(label)
        return np.array(images, dtype=np.float64) / 255.0, np.array(labels)
    X_train, y_train = load_images(os.path.join(root, 'train'))
    X_test, y_test = load_images(os.path.join(root, 'test'))
    rows, n_warn = [], 0
    for n in NS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            pca = PCA(n_components=n, random_state=0)
            Z_train = pca.fit_transform(X_train)
            Z_test = pca.transform(X_test)
            clf = LogisticRegression(random_state=0).fit(Z_train, y_train)
        n_warn += sum('Convergence' in o.category.__name__ for o in w)
        correct = int((clf.predict(Z_test) == y_test).sum())
        rows.append(dict(n_components=n, accuracy=100*correct/len(y_test), correct=correct, total=len(y_test)))
    return rows, n_warn

def ours(root, cache_dir=None):
    from cifake_fastai.baseline import pca_logreg_baseline
    res = pca_logreg_baseline(root, n_components=NS, cache_dir=cache_dir)
    cols = ['n_components', 'accuracy', 'correct', 'total', 'accuracy_clean', 'correct_clean', 'total_clean']
    return res.table[cols].to_dict(orient='records'), int((~res.table.converged).sum())

def child(impl, root, cache_dir):
    rows, n_warn = reference(root) if impl == 'reference' else ours(root, cache_dir)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20   # KiB -> GiB
    print('JSON ' + json.dumps(dict(rows=rows, peak_gib=peak, convergence_warnings=n_warn)))

def run(impl, root, cache_dir=None):
    cmd = [sys.executable, __file__, '--child', impl, '--root', str(root)] + (['--cache-dir', cache_dir] if cache_dir else [])
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode: sys.exit(f'{impl} failed:\n{out.stderr[-3000:]}')
    res = json.loads(next(l for l in out.stdout.splitlines() if l.startswith('JSON '))[5:])
    res['wall_s'] = wall
    return res

def show(name, r):
    print(f'\n{name}: wall {r["wall_s"]:.1f} s, peak RSS {r["peak_gib"]:.2f} GiB, ConvergenceWarnings: {r["convergence_warnings"]}')
    clean = 'accuracy_clean' in r['rows'][0]
    print('| N | accuracy % | correct | total | published % | diff |' + (' clean accuracy % | correct | total |' if clean else '') +
          '\n|---:|---:|---:|---:|---:|---:|' + ('---:|---:|---:|' if clean else ''))
    for o in r['rows']:
        n = o['n_components']
        print(f'| {n} | {o["accuracy"]:.2f} | {o["correct"]} | {o["total"]} | {PUBLISHED[n]:.2f} | {o["accuracy"]-PUBLISHED[n]:+.2f} |' +
              (f' {o["accuracy_clean"]:.2f} | {o["correct_clean"]} | {o["total_clean"]} |' if clean else ''))

def main():
    from cifake_fastai.cache import scan_images
    root = cifake_root()
    print(f'data: {root}; {os.cpu_count()} CPUs', flush=True)
    for s in ('train', 'test'): scan_images(root/s, progress=False)       # warm the default cache (not timed)
    ref = run('reference', root); show('reference procedure', ref)
    warm = run('ours', root); show('cifake_fastai, warm cache', warm)
    with tempfile.TemporaryDirectory() as d:
        cold = run('ours', root, d); show('cifake_fastai, cold cache (decodes every JPEG)', cold)
    diff = max(abs(o['accuracy'] - PUBLISHED[o['n_components']]) for o in warm['rows'])
    ref_diff = max(abs(o['accuracy'] - PUBLISHED[o['n_components']]) for o in ref['rows'])
    print(f'\nspeedup: {ref["wall_s"]/warm["wall_s"]:.1f}x warm, {ref["wall_s"]/cold["wall_s"]:.1f}x cold; '
          f'memory: {ref["peak_gib"]/warm["peak_gib"]:.1f}x less warm, {ref["peak_gib"]/cold["peak_gib"]:.1f}x less cold')
    print(f'RESULT max_diff_pts={diff:.2f} ref_max_diff_pts={ref_diff:.2f} speedup={ref["wall_s"]/warm["wall_s"]:.1f} memory_ratio={ref["peak_gib"]/warm["peak_gib"]:.1f}')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--child', choices=['reference', 'ours'])
    p.add_argument('--root')
    p.add_argument('--cache-dir')
    a = p.parse_args()
    if a.child: child(a.child, a.root, a.cache_dir)
    else:
        with recorded('baseline'): main()
