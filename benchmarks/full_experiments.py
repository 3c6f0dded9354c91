#!/usr/bin/env python
"""The runs notebook's table on the full CIFAKE: synthetic images as training data (10-class CIFAR classifiers trained on all
FAKE vs all REAL training images, F1 per class on the 10,000 REAL test images). (Its earlier version also measured the
shipped detector's robustness; `benchmarks/robustness.py` does that now.)

    python benchmarks/full_experiments.py        # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Writes benchmarks/results/synthetic_full.csv (the notebook reads it).
Last line: RESULT synthetic_fake_acc=<%> synthetic_real_acc=<%>
"""
import argparse, tempfile, time
from pathlib import Path

from provenance import cifake_root, recorded, RESULTS

def main(data, out, epochs):
    from fastai.torch_core import set_seed
    from cifake_fastai.study import synthetic_training
    root = cifake_root(data, out=Path(out)/'data')
    t = time.time()
    set_seed(42)
    syn = synthetic_training(root, epochs=epochs, out=Path(out)/'synthetic')
    syn.to_csv(RESULTS/'synthetic_full.csv')
    print(syn.round(3).to_string()); print(f'synthetic: {(time.time()-t)/60:.1f} min', flush=True)
    print(f"RESULT synthetic_fake_acc={100*syn.loc['accuracy'].iloc[0]:.2f} synthetic_real_acc={100*syn.loc['accuracy'].iloc[1]:.2f}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--epochs', type=int, default=10, help='epochs per CIFAR classifier')
    p.add_argument('--name', default='full_experiments', help='results file: benchmarks/results/<name>.txt')
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as out, recorded(a.name): main(a.data, out, a.epochs)
