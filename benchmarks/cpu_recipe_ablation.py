#!/usr/bin/env python
"""The CPU recipe's ideas, each on and off: test accuracy (all and clean test images) and training minutes per variant.

Every variant is `train_cpu_recipe` with its ideas switched on or off: it trains `cifake_resnet9` from scratch at 32 px on the full train/ (95% to learn from, 5% to pick the best
epoch: the test set only reports, it selects nothing), then is evaluated on all 20,000 test images and on the clean ones,
without and with flip test-time augmentation (the mean of the probabilities of an image and its mirror image). Variants:

- `base`: the plain recipe (width 16, 12 one-cycle epochs, bs 256, lr 5e-3, flips; none of the ideas below);
- `smooth`: label smoothing 0.1;
- `highpass`: the network also sees the residual `x - up(down(x))` (the high frequencies where Stable Diffusion's
  upsampling leaves its traces, as NPR, CVPR 2024), as three more input channels (`HighPassConv`);
- `ema`: an exponential moving average of the weights (and BatchNorm statistics), decay 0.999 per step, used at the end;
- `bs512`: batch 512 at lr 1e-2 (fewer, larger steps: cheaper per epoch on a CPU);
- `wide`: width 32, 16 epochs, label smoothing;
- `combo`: label smoothing and the high-pass input together;
- `shift`: `EvenShift(2)`, each training image moved by -2, 0 or 2 pixels on each axis (reflected border; even shifts
  keep the 2x2 grid the high-pass residual is taken on);
- `combo_shift`: `combo` with `shift`.

    python benchmarks/cpu_recipe_ablation.py [--epochs N] [--variants base smooth ...]

Last line: RESULT best_by_valid=<variant> its_test_acc_clean=<%> its_tta_acc_clean=<%> base_test_acc_clean=<%>
(the best variant is the one with the best validation accuracy: the test set chooses nothing)
"""
import argparse, tempfile, time
from pathlib import Path

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def main(data, out, epochs, variants, name):
    import torch, torch.nn.functional as F, pandas as pd
    from fastai.vision.all import Callback
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
    from cifake_fastai.data import fast_dls
    from cifake_fastai.train import train_cpu_recipe
    from cifake_fastai.evaluate import evaluate, classification_metrics
    root = cifake_root(data, out=Path(out)/'data')
    dev = 'cuda' if torch.cuda.is_available() else f'cpu ({torch.get_num_threads()} threads)'
    print(f'data: {root.name}; torch {torch.__version__}; device {dev}; base epochs {epochs}', flush=True)

    class EMA(Callback):
        "Keep an exponential moving average of the weights and buffers; load it into the model after training."
        order = 90
        def __init__(self, decay=0.999): self.decay, self.avg = decay, None
        def before_fit(self):
            if self.avg is None:
                self.avg = AveragedModel(self.learn.model, multi_avg_fn=get_ema_multi_avg_fn(self.decay), use_buffers=True)
        def after_step(self): self.avg.update_parameters(self.learn.model)
        def swap(self, learn): learn.model.load_state_dict(self.avg.module.state_dict())

    spec = {'base': {}, 'smooth': dict(smooth=0.1), 'highpass': dict(highpass=True), 'ema': dict(ema=True),
            'bs512': dict(bs=512, lr=1e-2), 'wide': dict(width=32, epochs=epochs + 4, smooth=0.1),
            'combo': dict(smooth=0.1, highpass=True), 'shift': dict(shift=True), 'combo_shift': dict(smooth=0.1, highpass=True, shift=True)}
    rows = []
    t_cache = time.time()
    fast_dls(root/'train', size=32, bs=256, valid_pct=0.05)       # builds the image cache once (timed separately)
    cache_s = time.time() - t_cache
    for v in variants:
        s = dict(width=16, epochs=epochs, bs=256, lr=5e-3, smooth=0.0, highpass=False, ema=False, shift=False) | spec[v]
        t0 = time.time()
        ema = EMA() if s['ema'] else None
        learn = train_cpu_recipe(root/'train', epochs=s['epochs'], width=s['width'], bs=s['bs'], lr=s['lr'], smooth=s['smooth'],
                                 highpass=s['highpass'], shift=2 if s['shift'] else 0, out=out, fname=f'abl-{v}', overwrite=True,
                                 cbs=[ema] if ema else None)
        if ema: ema.swap(learn)
        minutes = (time.time() - t0)/60
        res = evaluate(learn, root/'test', bs=1024)
        tdl = learn.dls.test_dl(res.files, bs=1024)
        learn.model.eval()
        with torch.no_grad():
            flipped = torch.cat([F.softmax(learn.model(xb[0].flip(3)).float(), 1).cpu() for xb in tdl]).numpy()
        tta = (res.probs + flipped) / 2
        m_tta = classification_metrics(res.targs, tta, res.vocab)
        m_tta_c = classification_metrics(res.targs[res.clean], tta[res.clean], res.vocab)
        r = res.record
        rows.append(dict(variant=v, minutes=round(minutes, 1), test_acc=r['accuracy'], test_acc_clean=r['clean']['accuracy'],
                         tta_acc=m_tta['accuracy'], tta_acc_clean=m_tta_c['accuracy'], roc_auc_clean=r['clean']['roc_auc'],
                         best_valid_acc=100*float(learn.history.accuracy.max())))
        print(pd.DataFrame(rows[-1:]).round(3).to_string(index=False), flush=True)
    t = pd.DataFrame(rows)
    print(f'\nimage cache build: {cache_s:.0f} s (once, not in the minutes)\n')
    print(t.round(3).to_markdown(index=False))
    best = t.loc[t.best_valid_acc.idxmax()]          # chosen on the validation images, never on the test set
    base = t.loc[t.variant == 'base', 'test_acc_clean']
    print(f"RESULT best_by_valid={best.variant} its_test_acc_clean={best.test_acc_clean:.2f} its_tta_acc_clean={best.tta_acc_clean:.2f} "
          f"base_test_acc_clean={float(base.iloc[0]) if len(base) else float('nan'):.2f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--epochs', type=int, default=12)
    p.add_argument('--variants', nargs='+', default=['base', 'smooth', 'highpass', 'ema', 'bs512', 'wide', 'combo', 'shift', 'combo_shift'])
    p.add_argument('--name', default='cpu_recipe_ablation', help='results file name (benchmarks/results/NAME.txt)')
    a = p.parse_args()
    with recorded(a.name), tempfile.TemporaryDirectory() as d: main(a.data, d, a.epochs, a.variants, a.name)
