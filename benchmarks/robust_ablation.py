#!/usr/bin/env python
"""The robust recipe's choices, measured on held-out images: degradation-aware training on and off, the high-pass input,
the share of degraded images, the network's width.

Every variant is `train_cpu_recipe` with its settings, trained from scratch at 32 px on the same stratified subset of
CIFAKE's train/ (`--n` images, 5,000 of them held out by content), for the same number of epochs. Each is then measured on
the held-out images, as they are and after every perturbation of the robustness table (`PERTURBATIONS`): accuracy, ROC
AUC and the share of verdicts unchanged. The test set is not touched: these figures choose the recipe's defaults.

    python benchmarks/robust_ablation.py [--n 42000] [--epochs 6] [--variants plain robust ...] [--name robust_ablation]

Writes benchmarks/results/<name>.txt and <name>.csv (variant x perturbation). Last line:
RESULT best=<variant> its_clean=<%> its_worst=<%> its_worst_name=<perturbation> plain_clean=<%> plain_worst=<%>
(best: the highest worst-case accuracy among the variants within 1 point of the best clean accuracy; the `only_*`
specialists, trained on one perturbation alone, are not candidates: they show the ceiling on their perturbation)
"""
import argparse, tempfile, time
from pathlib import Path

from provenance import cifake_root, recorded, RESULTS        # benchmarks/provenance.py: output also to benchmarks/results/

VARIANTS = {'plain': dict(robust=False),                                   # today's recipe: high-pass input, no degradations
            'robust': dict(robust=True),                                   # degradations, p=0.5, plain RGB input
            'robust_highpass': dict(robust=True, highpass=True),
            'robust_p25': dict(robust=True, p=0.25), 'robust_p75': dict(robust=True, p=0.75),
            'robust_s50': dict(robust=True, strength=0.5),
            'robust_w24': dict(robust=True, width=24), 'robust_w32': dict(robust=True, width=32),
            # specialists: every training image blurred (sigma 2) or shrunk to a third and back (Lanczos), the hardest rows of the
            # table: how well this network can do on such images at all when it trains on nothing else
            'only_blur2': dict(only='blur sigma 2'), 'only_rescale033': dict(only='rescale 0.33x lanczos')}

def main(data, out, n, epochs, variants, name):
    import numpy as np, pandas as pd, torch
    from fastai.torch_core import set_seed
    from cifake_fastai.cache import image_files
    from cifake_fastai.data import sample_files
    from cifake_fastai.train import train_cpu_recipe
    from cifake_fastai.evaluate import robustness, robustness_summary
    from cifake_fastai.data import fast_dls
    from cifake_fastai.degrade import RandomDegrade, PERTURBATIONS
    from fastai.vision.all import Flip, PILImage
    root = cifake_root(data, out=Path(out)/'data')
    _, fs = image_files(root/'train')
    files = sample_files(fs, n)
    print(f'data: {root.name}/train, {len(files)} images (5,000 held out); {epochs} epochs per variant; torch {torch.__version__}, '
          f'{torch.get_num_threads()} threads', flush=True)
    rows, tables = [], []
    for v in variants:
        set_seed(42)
        t0 = time.time()
        kw, src = dict(VARIANTS[v]), root/'train'
        if (only := kw.pop('only', None)):                 # a specialist: that one perturbation on every training image
            fn = PERTURBATIONS[only]
            fam = {only: (lambda a, rng, s: np.asarray(fn(PILImage.create(a))), 1)}
            src = fast_dls(root/'train', files=files, valid_pct=5000/len(files), size=32, bs=256,
                           batch_tfms=[Flip(), RandomDegrade(p=1.0, families=fam, max_ops=1)])
            kw.update(highpass=False)
        learn = train_cpu_recipe(src, files=files, valid_pct=5000/len(files), epochs=epochs, out=out, fname=f'abl-{v}',
                                 overwrite=True, **kw)
        minutes = (time.time() - t0)/60
        t = robustness(learn, learn.dls.valid_ds.items, bs=1024)
        s = robustness_summary(t)
        tables.append(t.assign(variant=v))
        print(t.round(3).to_string(index=False))
        rows.append(dict(variant=v, minutes=round(minutes, 1), clean=round(s['clean_acc'], 2), worst=round(s['worst_acc'], 2),
                         worst_name=s['worst_name'].replace(' ', '_'), mean=round(s['mean_acc'], 2), min_auc=round(s['min_auc'], 4),
                         min_same=round(s['min_same_verdict'], 2)))
        print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    res = pd.DataFrame(rows).set_index('variant')
    pd.concat(tables).to_csv(RESULTS/f'{name}.csv', index=False)
    print(res.to_string())
    cand = res[~res.index.str.startswith('only_')]
    if not len(cand): cand = res                                  # only specialists asked for: the best of them
    ok = cand[cand.clean >= cand.clean.max() - 1]
    best = ok.worst.idxmax()
    plain = res.loc['plain'] if 'plain' in res.index else None
    print(f"RESULT best={best} its_clean={res.clean[best]:.2f} its_worst={res.worst[best]:.2f} its_worst_name={res.worst_name[best]}"
          + (f" plain_clean={plain.clean:.2f} plain_worst={plain.worst:.2f}" if plain is not None else ''))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--n', type=int, default=42000, help='training images drawn from train/ (5,000 of them held out)')
    p.add_argument('--epochs', type=int, default=6, help='one-cycle epochs per variant')
    p.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument('--name', default='robust_ablation', help='results files: benchmarks/results/<name>.txt and .csv')
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as out, recorded(a.name): main(a.data, out, a.n, a.epochs, a.variants, a.name)
