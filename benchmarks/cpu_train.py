#!/usr/bin/env python
"""The CPU recipe on the full CIFAKE: train from scratch at 32 px within a 20-minute wall budget, then test accuracy.

`train_cpu_recipe` with its defaults (cifake_resnet9 width 16 with the high-pass input, 12 one-cycle epochs, bs 256, lr
5e-3, label smoothing 0.1, flips, 95% of train/ to learn from) on the full train set, from a cold image cache (a new
cache folder: building it counts in the total and is also reported on its own), then `evaluate` on all 20,000 test
images (the reference's figure) and on the clean test images (contents neither in train/ nor repeated in test/, see
`overlap_table`).

    python benchmarks/cpu_train.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake
    python benchmarks/cpu_train.py --compare   # also what a user would do instead: fastai's stock ResNet-18, same wall time

With `--compare`, fastai's stock `vision_learner(dls, resnet18, pretrained=False)` (one cycle at 3e-3, 32 px, the same
loaders and split) trains for as many epochs as fit in the recipe's training time, and is evaluated the same way; the
RESULT line then also has stock_test_acc and stock_test_acc_clean.

Last line: RESULT test_acc=<percent> test_acc_clean=<percent> train_minutes=<m, cache build included> cache_minutes=<m>
"""
import argparse, os, tempfile, time
from pathlib import Path

from provenance import cifake_root, epoch_seconds, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def stock_resnet18(root, train_s, out):
    "fastai's stock ResNet-18 from scratch at 32 px, trained for the recipe's wall time; its evaluation record."
    from fastai.vision.all import vision_learner, resnet18, error_rate, accuracy, Flip
    from cifake_fastai.data import fast_dls
    from cifake_fastai.train import seconds_per_epoch
    from cifake_fastai.evaluate import evaluate
    dls = fast_dls(root/'train', size=32, bs=256, valid_pct=0.05, batch_tfms=Flip())
    n = max(1, int(train_s / seconds_per_epoch(dls, 'resnet18')))
    learn = vision_learner(dls, resnet18, pretrained=False, metrics=[error_rate, accuracy], path=out)
    t = time.time()
    learn.fit_one_cycle(n, 3e-3)
    print(f'stock resnet18: {n} epochs in {(time.time()-t)/60:.1f} min')
    return evaluate(learn, root/'test', bs=512).record

def main(epochs, width, bs, lr, smooth, highpass, shift, out, compare=False):
    import torch
    os.environ['CIFAKE_CACHE'] = str(Path(out)/'cache')     # a cold image cache: its build is part of the training time
    from cifake_fastai.cache import scan_images
    from cifake_fastai.train import train_cpu_recipe
    from cifake_fastai.evaluate import evaluate, metrics_table, left_out_text
    root = cifake_root()
    print(f'data: {root}; torch {torch.__version__}, {torch.get_num_threads()} threads; '
          f'recipe: cifake_resnet9 width={width}, {epochs} epochs, bs={bs}, lr={lr}, smooth={smooth}, highpass={highpass}, shift={shift}', flush=True)
    t0 = time.time()
    scan_images(root/'train', 32, progress=False)               # what `fast_dls` would build first
    cache_s = time.time() - t0
    learn = train_cpu_recipe(root/'train', epochs=epochs, width=width, bs=bs, lr=lr, smooth=smooth, highpass=highpass, shift=shift, out=out, overwrite=True)
    train_s = time.time() - t0
    n_train = len(learn.dls.train_ds)
    t1 = time.time()
    res = evaluate(learn, root/'test', bs=512)
    test_s = time.time() - t1
    r, c = res.record, res.record['clean']
    print(learn.history.to_string(index=False))
    epoch_s = sum(map(epoch_seconds, learn.history.time))
    print(f'\nimage cache build: {cache_s/60:.1f} min; training with it: {train_s/60:.1f} min for {len(learn.history)} epochs of {n_train} images '
          f'({len(learn.history)*n_train/epoch_s:.0f} images/s while training)')
    print(f"test: {r['accuracy']:.2f}% ({r['correct']}/{r['n']}), clean {c['accuracy']:.2f}% ({c['correct']}/{c['n']}) in {test_s:.0f} s; "
          f"total wall {(time.time()-t0)/60:.1f} min")
    print(left_out_text(r))
    print(metrics_table(r).round(4).to_string())
    extra = ''
    if compare:
        s = stock_resnet18(root, train_s, out)
        print(f"stock ResNet-18, same wall time: test {s['accuracy']:.2f}% ({s['correct']}/{s['n']}), clean {s['clean']['accuracy']:.2f}%")
        extra = f" stock_test_acc={s['accuracy']:.2f} stock_test_acc_clean={s['clean']['accuracy']:.2f}"
    print(f"RESULT test_acc={r['accuracy']:.2f} test_acc_clean={c['accuracy']:.2f} train_minutes={train_s/60:.1f} cache_minutes={cache_s/60:.1f}{extra}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=12)
    p.add_argument('--width', type=int, default=16)
    p.add_argument('--bs', type=int, default=256)
    p.add_argument('--lr', type=float, default=5e-3)
    p.add_argument('--smooth', type=float, default=0.1, help='label smoothing (0: none)')
    p.add_argument('--highpass', choices=['yes', 'no'], default='yes', help='the high-pass residual as a second input')
    p.add_argument('--shift', type=int, default=0, help='random even shifts of training images, at most this many pixels (0: none)')
    p.add_argument('--out', default=None, help='folder for checkpoints and history (default: a temporary folder)')
    p.add_argument('--compare', action='store_true', help="also train fastai's stock ResNet-18 for the same wall time")
    p.add_argument('--name', default='cpu_train', help='results file name (benchmarks/results/NAME.txt)')
    a = p.parse_args()
    with recorded(a.name): main(a.epochs, a.width, a.bs, a.lr, a.smooth, a.highpass == 'yes', a.shift, a.out or tempfile.mkdtemp(prefix='cpu_train_'), a.compare)
