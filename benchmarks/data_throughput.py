#!/usr/bin/env python
"""Data-loading throughput: the reference CIFAKE DataBlock (`cifake_dls`) against the cached fast loader (`fast_dls`).

For each image size, one training epoch's worth of batches (the 80% training split of the full train set) is drawn from
each loader in the same run, and images per second are reported. The reference gets the Normalize that `vision_learner`
adds in training, so both produce the same normalised float batches. Then a fresh process times a warm cache load of
all 120,000 images (train and test) into memory.

    python benchmarks/data_throughput.py            # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Last line: RESULT ratio_224=<x> ratio_32=<x> warm_load_s=<s>
"""
import argparse, subprocess, sys, time
from pathlib import Path

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def dataset_root()->Path:
    return cifake_root()

def epoch(dl, max_batches=None):
    "Images per second drawing every batch of `dl` once (or the first `max_batches`)."
    n, t = 0, time.perf_counter()
    for i, (xb, yb) in enumerate(dl):
        n += len(yb)
        if max_batches and i+1 >= max_batches: break
    return n, time.perf_counter() - t

WARM = """
import time, numpy as np, sys
t = time.perf_counter()
from cifake_fastai.cache import scan_images
t0 = time.perf_counter()
n = 0
for s in ('train', 'test'):
    c = scan_images(sys.argv[1] + '/' + s, progress=False)
    x = np.ascontiguousarray(c.x); n += len(x)
print(n, time.perf_counter() - t0)
"""

def main(sizes=(224, 32), bs=64, max_batches=None):
    import torch
    from fastai.vision.all import Normalize, imagenet_stats
    from cifake_fastai.data import cifake_dls, fast_dls
    from cifake_fastai.cache import scan_images
    root = dataset_root()
    print(f'data: {root}; torch {torch.__version__}; {torch.get_num_threads()} threads; device: '
          f'{"cuda" if torch.cuda.is_available() else "cpu"}', flush=True)
    for s in ('train', 'test'): scan_images(root/s, progress=False)          # build the cache (not timed here)
    rows, ratio = [], {}
    for size in sizes:
        ref = cifake_dls(root/'train', size=size, bs=bs, batch_tfms=Normalize.from_stats(*imagenet_stats))
        fast = fast_dls(root/'train', size=size, bs=bs)
        assert list(ref.valid_ds.items) == list(fast.valid_ds.items), 'loaders disagree on the split'
        res = {}
        for name, dls in (('reference', ref), ('fast', fast)):
            n, sec = epoch(dls.train, max_batches)
            res[name] = n/sec
            rows.append((name, size, n, sec, n/sec))
            print(f'{name:>9} {size:>4}px {n:>7} images {sec:8.1f} s {n/sec:10.0f} img/s', flush=True)
        ratio[size] = res['fast']/res['reference']
    out = subprocess.run([sys.executable, '-c', WARM, str(root)], capture_output=True, text=True, check=True)
    n_warm, warm_s = out.stdout.split()
    print('\n| loader | size | images | seconds | images/s |\n|---|---:|---:|---:|---:|')
    for r in rows: print(f'| {r[0]} | {r[1]} | {r[2]} | {r[3]:.1f} | {r[4]:.0f} |')
    for size in sizes: print(f'fast/reference at {size}px: {ratio[size]:.1f}x')
    print(f'warm cache load of {n_warm} images: {float(warm_s):.2f} s')
    print(f'RESULT ratio_224={ratio.get(224, float("nan")):.1f} ratio_32={ratio.get(32, float("nan")):.1f} warm_load_s={float(warm_s):.2f}')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sizes', type=int, nargs='+', default=[224, 32])
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--max-batches', type=int, default=None, help='stop each epoch early (quick checks only)')
    a = p.parse_args()
    with recorded('data_throughput'): main(tuple(a.sizes), a.bs, a.max_batches)
