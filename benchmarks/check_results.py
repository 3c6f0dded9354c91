#!/usr/bin/env python
"""Checks of the committed benchmark outputs (`benchmarks/results/`): what the docs pages and the README say about them
still holds. These are checks of result files, kept apart from the tests of the code (the notebooks), which must pass on
any machine; .ci/run and the GitHub workflow run both.

    python benchmarks/check_results.py

Exit status 1, with one line per failed check, when a committed output no longer says what the pages say.
"""
import sys
from pathlib import Path
import pandas as pd
from provenance import RESULTS, ablation_rows, recipe_run

ROOT = Path(__file__).resolve().parents[1]
CHECKS = []
def check(f): CHECKS.append(f); return f

@check
def cpu_recipe_ablation():
    "Label smoothing and the high-pass input each beat the plain recipe by more than 0.2 point at 12 epochs; EMA gains nothing."
    full = ablation_rows('cpu_recipe_ablation_gpu')
    gain = full.best_valid_acc - full.best_valid_acc['base']
    assert gain[['smooth', 'highpass']].min() > 0.2 and abs(gain['ema']) < 0.1, gain.round(2).to_dict()

@check
def cpu_recipe_default():
    "The recipe's default (smoothing + high-pass) is the run with the best held-out accuracy, and the defaults are that run's."
    import inspect
    from cifake_fastai.train import train_cpu_recipe
    runs = pd.DataFrame({'plain': recipe_run('cpu_train_plain'), 'default': recipe_run('cpu_train'), 'shift': recipe_run('cpu_train_shift')}).T
    assert runs.best_valid_acc.idxmax() == 'default', runs.best_valid_acc.to_dict()
    d = inspect.signature(train_cpu_recipe).parameters
    assert (d['smooth'].default, d['highpass'].default, d['shift'].default) == (0.1, None, 0)

@check
def robust_ablation():
    "Degradations lift the worst perturbation by more than 25 points; the high-pass input loses; a larger share of degraded images, a better worst case."
    t = ablation_rows('robust_ablation')
    assert t.worst['robust'] > t.worst['plain'] + 25, t.worst.to_dict()
    assert (t.loc['robust', ['clean', 'worst']] > t.loc['robust_highpass', ['clean', 'worst']]).all()
    assert t.loc[['plain', 'robust_p25', 'robust', 'robust_p75'], 'worst'].is_monotonic_increasing

@check
def robustness():
    "The robustness table covers the 30 perturbations on all 20,000 test images; the shipped detector's worst row gained more than 15 points."
    from cifake_fastai.degrade import PERTURBATIONS
    from cifake_fastai.evaluate import robustness_summary
    r = pd.read_csv(RESULTS/'robustness.csv')
    before, after = r.model.unique()
    assert list(r.perturbation.unique()) == list(PERTURBATIONS) and r.n.unique().tolist() == [20000]
    sb, sa = (robustness_summary(r[r.model == m]) for m in (before, after))
    assert sb['worst_acc'] < 70 and sa['worst_acc'] > sb['worst_acc'] + 15, (sb['worst_acc'], sa['worst_acc'])

@check
def robustness_beyond():
    "The check beyond the table: 5,000 test images, none of the table's rows, the same clean accuracy within a point."
    from cifake_fastai.degrade import PERTURBATIONS
    r, b = pd.read_csv(RESULTS/'robustness.csv'), pd.read_csv(RESULTS/'robustness_beyond.csv')
    after = r.model.unique()[-1]
    clean = lambda t: t[(t.model == after) & (t.perturbation == 'clean')].accuracy.item()
    assert b.n.unique().tolist() == [5000] and set(b.perturbation) & set(PERTURBATIONS) == {'clean'}
    assert abs(clean(b) - clean(r)) <= 1, (clean(b), clean(r))

@check
def synthetic():
    "Trained on Stable Diffusion images alone, the CIFAR-10 classifier is more than 30 points behind one trained on photographs."
    from cifake_fastai.core import CIFAR10_CLASSES
    t = pd.read_csv(RESULTS/'synthetic_full.csv', index_col=0)
    assert list(t.columns) == ['trained on FAKE', 'trained on REAL']
    assert list(t.index) == sorted(CIFAR10_CLASSES) + ['accuracy', 'macro avg', 'weighted avg']
    assert t.loc['accuracy'].diff().iloc[-1] > 0.3 and (t.loc[sorted(CIFAR10_CLASSES)] > 0).all().all()

@check
def readme_figures():
    "Every bold figure of the README's measured-figures table is in the RESULT line of the output it names."
    from cifake_fastai.readme import check_figures
    assert check_figures(ROOT) == [], check_figures(ROOT)

def main()->int:
    bad = 0
    for f in CHECKS:
        try: f(); print(f'ok    {f.__name__}: {f.__doc__}')
        except AssertionError as e: bad += 1; print(f'FAIL  {f.__name__}: {f.__doc__} ({e})')
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main())
