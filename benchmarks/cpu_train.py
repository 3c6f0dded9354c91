#!/usr/bin/env python
"""The CPU recipe on the full CIFAKE: train from scratch at 32 px within a 30-minute wall budget, then test accuracy.

`train_cpu_recipe` (cifake_resnet9, width 16, 12 one-cycle epochs, bs 256, flips, 95% of train/ to learn from) on the
full train set, timed from the start (image cache included), then `evaluate` on all 20,000 test images (the reference's
figure) and on the clean test images (contents neither in train/ nor repeated in test/, see `test_overlap`).

    python benchmarks/cpu_train.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Last line: RESULT test_acc=<percent> test_acc_clean=<percent> train_minutes=<m>
"""
import argparse, os, tempfile, time
from pathlib import Path

from provenance import recorded        # benchmarks/provenance.py: output also to benchmarks/results/
SHARED = Path(__file__).resolve().parents[1].parent/'shared'/'data'/'cifake'

def main(epochs, width, bs, lr, out):
    import torch
    from cifake_fastai.external import get_cifake
    from cifake_fastai.train import train_cpu_recipe
    from cifake_fastai.evaluate import evaluate, metrics_table, left_out_text
    root = get_cifake(os.environ.get('CIFAKE_PATH') or SHARED, download=False)
    print(f'data: {root}; torch {torch.__version__}, {torch.get_num_threads()} threads; '
          f'recipe: cifake_resnet9 width={width}, {epochs} epochs, bs={bs}, lr={lr}', flush=True)
    t0 = time.time()
    learn = train_cpu_recipe(root/'train', epochs=epochs, width=width, bs=bs, lr=lr, out=out, overwrite=True)
    train_s = time.time() - t0
    n_train = len(learn.dls.train_ds)
    t1 = time.time()
    res = evaluate(learn, root/'test', bs=512)
    test_s = time.time() - t1
    r, c = res.record, res.record['clean']
    print(learn.history.to_string(index=False))
    epoch_s = sum(int(v)*60**i for t in learn.history.time for i, v in enumerate(reversed(t.split(':'))))   # fastai logs '[h:]mm:ss'
    print(f'\ntraining: {train_s/60:.1f} min for {len(learn.history)} epochs of {n_train} images '
          f'({len(learn.history)*n_train/epoch_s:.0f} images/s while training)')
    print(f"test: {r['accuracy']:.2f}% ({r['correct']}/{r['n']}), clean {c['accuracy']:.2f}% ({c['correct']}/{c['n']}) in {test_s:.0f} s; "
          f"total wall {(time.time()-t0)/60:.1f} min")
    print(left_out_text(r))
    print(metrics_table(r).round(4).to_string())
    print(f"RESULT test_acc={r['accuracy']:.2f} test_acc_clean={c['accuracy']:.2f} train_minutes={train_s/60:.1f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=12)
    p.add_argument('--width', type=int, default=16)
    p.add_argument('--bs', type=int, default=256)
    p.add_argument('--lr', type=float, default=5e-3)
    p.add_argument('--out', default=None, help='folder for checkpoints and history (default: a temporary folder)')
    a = p.parse_args()
    with recorded('cpu_train'): main(a.epochs, a.width, a.bs, a.lr, a.out or tempfile.mkdtemp(prefix='cpu_train_'))
