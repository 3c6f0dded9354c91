#!/usr/bin/env python
"""Checks of the committed benchmark outputs (`benchmarks/results/`): what the docs pages and the README say about them
still holds. These are checks of result files, kept apart from the tests of the code (the notebooks), which must pass on
any machine; .ci/run and the GitHub workflow run both.

    python benchmarks/check_results.py

Exit status 1, with one line per failed check, when a committed output no longer says what the pages say.
"""
import sys
from pathlib import Path
import numpy as np
import pandas as pd
from provenance import RESULTS, ablation_rows, recipe_run, result_line

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
def distance_rule():
    "The shipped detector's distance rule answers the share of held-out images distance_rule.py's RESULT is for, and its band is that row's guaranteed band."
    import json
    cfg, r = json.loads((ROOT/'cifake_fastai'/'shipped'/'config.json').read_text()), result_line('distance_rule')
    t = pd.read_csv(RESULTS/'distance_rule.csv')
    row = t[(t.keep.astype(str) == str(r['keep'])) & (t.band == 'guaranteed')].iloc[0]
    assert cfg['distance']['keep'] == r['keep'], (cfg['distance'], r['keep'])
    assert max(abs(row.low - cfg['band'][0]), abs(row.high - cfg['band'][1])) < 1e-6, (row[['low', 'high']].tolist(), cfg['band'])

@check
def readme_figures():
    "Every bold figure of the measured-figures table (benchmarks/README.md) is in the RESULT line of the output it names."
    from cifake_fastai.readme import check_figures
    assert check_figures(ROOT) == [], check_figures(ROOT)

def _body(name:str, pattern:str)->float:
    "A figure printed on a line of `benchmarks/results/{name}.txt` (not its RESULT line), by a regex with one group."
    import re
    return float(re.search(pattern, (RESULTS/f'{name}.txt').read_text()).group(1))

def _ours_baseline()->list:
    "The package's PCA baseline accuracies (%) on the full CIFAKE, from its table in `baseline.txt`."
    sec = (RESULTS/'baseline.txt').read_text().split('cifake_fastai, warm cache', 1)[1].split('\n\n', 1)[0]
    return [float(l.split('|')[2]) for l in sec.splitlines() if l.startswith('| ') and l.split('|')[1].strip().isdigit()]

R = lambda name, key: result_line(name)[key]
def _held_out_error(name:str)->float:
    "Error (%) on the held-out images at the epoch a training keeps (lowest validation loss), from its history in `{name}.txt`."
    import re
    rows = re.findall(r'^scratch\s+\d+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)', (RESULTS/f'{name}.txt').read_text(), re.M)
    return 100*float(min(rows, key=lambda r: float(r[0]))[1])
_clean_row = lambda name: pd.read_csv(RESULTS/f'{name}.csv').query("corruption == 'clean'").iloc[0]
def _corruption_gain(name:str, corruption:str, base:str='ablate_valid_unsure6')->float:
    "Points of accuracy (verdicts forced, the mean over the five severities) a candidate gains on a corruption over `base` (the shipped detector's run)."
    acc = lambda n: (t := pd.read_csv(RESULTS/f'{n}.csv'))[t.corruption == corruption].acc.mean()
    return acc(name) - acc(base)
def _ensemble_sure(rule:str, corruption:str, name:str='ablate_ensemble_std_scratch24')->float:
    "How often a rule of `ensemble.py`'s answers are right (%) under a corruption at severity 5."
    t = pd.read_csv(RESULTS/f'{name}.csv')
    return float(t[(t.rule == rule) & (t.corruption == corruption) & (t.severity == 5)].sure_acc.iloc[0])
def _lofo_cost(corruptions:list)->float:
    "Points of accuracy (verdicts forced, mean over the severities and `corruptions`) that leaving the noise family out of training cost."
    return float(np.mean([_corruption_gain('ablate_valid_lofo_all6', c, 'ablate_valid_lofo_nonoise6') for c in corruptions]))
def _dr(keep, col:str)->float:
    "A figure of `distance_rule_before.csv` (the network shipped before issue 30's training): the row for `keep` ('none': no distance rule) with the guaranteed band."
    t = pd.read_csv(RESULTS/'distance_rule_before.csv')
    return float(t[(t.keep.astype(str) == str(keep)) & (t.band == 'guaranteed')][col].iloc[0])
# (page, the words around the figure with {} where it stands, the measured value, tolerance or None: the precision written)
PROSE = lambda: [
    ('README.md', 'test images it is right {} % of the time', R('detector', 'test_acc'), None),
    ('README.md', 'it answers UNSURE for {} % of its test images', 100 - R('corruptions', 'clean_coverage'), 0.05),
    ('README.md', 'its other verdicts are {} % right', _clean_row('corruptions').sure_acc, None),
    ('README.md', 'far from its training images\' ({} % of real photographs', _body('corruptions', r'packages on PyPI.*UNSURE ([\d.]+)%'), 0.5),
    ('README.md', 'not for all: {} % of', R('corruptions', 'real_sure_fake_pct'), 0.5),
    ('nbs/explanations/04_unseen.ipynb', 'from about {}% to about', _dr('none', 'package photos sure FAKE'), 0.5),
    ('nbs/explanations/04_unseen.ipynb', 'to about {}% (photographs', _dr(0.95, 'package photos sure FAKE'), 0.5),
    ('nbs/explanations/04_unseen.ipynb', 'and from {}% to', _dr('none', 'scikit-image photos sure FAKE'), 0.5),
    ('nbs/explanations/04_unseen.ipynb', "to {}% (scikit-image's)", _dr(0.95, 'scikit-image photos sure FAKE'), 0.5),
    ('nbs/explanations/04_unseen.ipynb', 'and answers {}% of\nthe clean', _dr(0.95, 'clean answered'), 0.5),
    ('nbs/explanations/04_unseen.ipynb', 'clean test images, {}% right', _dr(0.95, 'clean right'), 0.05),
    ('nbs/explanations/04_unseen.ipynb', 'held-out error {}% before', _held_out_error('detector_before'), None),
    ('nbs/explanations/04_unseen.ipynb', 'before, {}% at 0.5', _held_out_error('ablate_train_pixmix6'), None),
    ('nbs/explanations/04_unseen.ipynb', 'and {}% at 0.8)', _held_out_error('ablate_train_pixmix8_p08'), None),
    ('nbs/explanations/04_unseen.ipynb', 'images (held-out error {}%;', _held_out_error('detector'), None),
    ('nbs/explanations/04_unseen.ipynb', 'held-out images (held-out error {}%)', _held_out_error('ablate_train_scratch_unsure24'), None),
    ('nbs/explanations/04_unseen.ipynb', 'and at {}% on the test set', R('ablate_train_scratch_unsure24', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'a little more (frost {}%)', R('ablate_valid_scratch_unsure24', 'worst'), None),
    ('nbs/explanations/04_unseen.ipynb', 'at their worst ({}% right)', R('ablate_valid_scratch_unsure24', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'it calls {}% of the real photographs', R('ablate_valid_scratch_unsure24', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the PixMix rows, {} and', R('ablate_train_jsd6', 'train_minutes'), 0.5),
    ('nbs/explanations/04_unseen.ipynb', 'rows, 27 and {} minutes', R('ablate_train_jsd6_l3', 'train_minutes'), 0.5),
    ('nbs/explanations/04_unseen.ipynb', 'under-confident (temperature {})', R('ablate_train_jsd6', 'temperature'), None),
    ('nbs/explanations/04_unseen.ipynb', 'with a held-out\nerror of {}%', _held_out_error('ablate_train_jsd6'), None),
    ('nbs/explanations/04_unseen.ipynb', 'error of 3.8% and {}% on the test set', R('ablate_train_jsd6', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'answer only {}% of the clean', R('ablate_valid_jsd6', 'clean_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'clean accuracy (held-out error {}%, 97.20%', _held_out_error('ablate_train_jsd6_l3'), None),
    ('nbs/explanations/04_unseen.ipynb', 'error 2.6%, {}% on the test set)\nand gives', R('ablate_train_jsd6_l3', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'cost (mean {}%, worst', R('ablate_valid_jsd6_l3', 'mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'worst corruption fog {}%)', R('ablate_valid_jsd6_l3', 'worst'), None),
    ('nbs/explanations/04_unseen.ipynb', 'are right {}% of the time, and', R('ablate_valid_jsd6_l3', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'time, and {}% of the real photographs get', R('ablate_valid_jsd6_l3', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'images;\n{} minutes), the network', R('ablate_train_jsdu6', 'train_minutes'), None),
    ('nbs/explanations/04_unseen.ipynb', 'error {}%, 97.32% on', _held_out_error('ablate_train_jsdu6'), None),
    ('nbs/explanations/04_unseen.ipynb', '2.6%, {}% on the test set), its forced', R('ablate_train_jsdu6', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', "detector's (mean {}%, worst corruption frost", R('ablate_valid_jsdu6', 'mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'worst corruption frost {}%) and its sure', R('ablate_valid_jsdu6', 'worst'), None),
    ('nbs/explanations/04_unseen.ipynb', 'at their worst ({}%), but', R('ablate_valid_jsdu6', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', '%), but {}% of the real photographs get a sure FAKE', R('ablate_valid_jsdu6', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'a sure FAKE, against {}%: nine', R('ablate_valid_unsure6', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', '(6 epochs, {} minutes), the unseen', R('ablate_train_std6', 'train_minutes'), None),
    ('nbs/explanations/04_unseen.ipynb', 'families average {}% with verdicts', R('ablate_valid_std6', 'unseen_mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'forced, against {}% (PixMix', R('ablate_valid_unsure6', 'unseen_mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the best before it: {}%)', R('ablate_valid_pixmix8_p08', 'unseen_mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'is now fog,\nat {}%, which did not move', R('ablate_valid_std6', 'worst'), None),
    ('nbs/explanations/04_unseen.ipynb', 'held-out error of {}% (96.58%', _held_out_error('ablate_train_std6'), None),
    ('nbs/explanations/04_unseen.ipynb', '3.8% ({}% on the test set)', R('ablate_train_std6', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'test set), {}% of the clean held-out images answered, and its sure', R('ablate_valid_std6', 'clean_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'answered, and its sure\nverdicts at their worst are right {}%', R('ablate_valid_std6', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'epochs (12, {} minutes)', R('ablate_train_std12', 'train_minutes'), None),
    ('nbs/explanations/04_unseen.ipynb', '(held-out error {}%, 96.86%', _held_out_error('ablate_train_std12'), None),
    ('nbs/explanations/04_unseen.ipynb', 'error 3.6%, {}% on the test set) and the best', R('ablate_train_std12', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'all candidates (mean {}%, the unseen', R('ablate_valid_std12', 'mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the unseen\nfamilies {}%)', R('ablate_valid_std12', 'unseen_mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'worst fall to {}% right', R('ablate_valid_std12', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'right and {}% of the real photographs get a sure\nFAKE', R('ablate_valid_std12', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'side by side ({} minutes)', R('ablate_train_stdboth6', 'train_minutes'), None),
    ('nbs/explanations/04_unseen.ipynb', 'almost gone (held-out error {}%, 97.20%', _held_out_error('ablate_train_stdboth6'), None),
    ('nbs/explanations/04_unseen.ipynb', '2.8%, {}%\non the test set), and so is the gain', R('ablate_train_stdboth6', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'gain: frost {} points', _corruption_gain('ablate_valid_stdboth6', 'frost'), None),
    ('nbs/explanations/04_unseen.ipynb', 'points and snow {} points above', _corruption_gain('ablate_valid_stdboth6', 'snow'), None),
    ('nbs/explanations/04_unseen.ipynb', 'families at {}%; its sure', R('ablate_valid_stdboth6', 'unseen_mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'at their worst are right {}% of the time (the shipped', R('ablate_valid_stdboth6', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', "(the shipped detector's {}%) and", R('ablate_valid_unsure6', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', ') and\n{}% of the real photographs get a sure FAKE (', R('ablate_valid_stdboth6', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'get a sure FAKE ({}%). Either', R('ablate_valid_unsure6', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', "24 epochs ({} minutes), standardised", R('ablate_train_std_scratch24', 'train_minutes'), None),
    ('nbs/explanations/04_unseen.ipynb', 'its clean cost (held-out error {}%,', _held_out_error('ablate_train_std_scratch24'), None),
    ('nbs/explanations/04_unseen.ipynb', '\n{}% on the test set): the cost is the input', R('ablate_train_std_scratch24', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'gain too (frost {} and snow', _corruption_gain('ablate_valid_std_scratch24', 'frost'), None),
    ('nbs/explanations/04_unseen.ipynb', 'frost 18.9 and snow {}', _corruption_gain('ablate_valid_std_scratch24', 'snow'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the unseen families at {}%), and it is', R('ablate_valid_std_scratch24', 'unseen_mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'sure verdict ({}%: five', R('ablate_valid_std_scratch24', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'right only {}% of the time', R('ablate_valid_std_scratch24', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', '(up to {}\npoints, on elastic', -_corruption_gain('ablate_valid_std_scratch24', 'elastic_transform'), None),
    ('nbs/explanations/04_unseen.ipynb', 'same 24 epochs ({}\nminutes, with benchmarks', R('ablate_train_stdboth_scratch24', 'train_minutes'), None),
    ('nbs/explanations/04_unseen.ipynb', 'two: held-out error {}%, 97.06', _held_out_error('ablate_train_stdboth_scratch24'), None),
    ('nbs/explanations/04_unseen.ipynb', '\n{}% on the test set, frost', R('ablate_train_stdboth_scratch24', 'test_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'test set, frost {} and snow', _corruption_gain('ablate_valid_stdboth_scratch24', 'frost'), None),
    ('nbs/explanations/04_unseen.ipynb', 'frost 5.0 and snow {} points above', _corruption_gain('ablate_valid_stdboth_scratch24', 'snow'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the unseen families at {}%, elastic', R('ablate_valid_stdboth_scratch24', 'unseen_mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'elastic\ndistortions {} points below', -_corruption_gain('ablate_valid_stdboth_scratch24', 'elastic_transform'), None),
    ('nbs/explanations/04_unseen.ipynb', 'right {}% of the time and 3.30%', R('ablate_valid_stdboth_scratch24', 'worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'time and {}% of the real\nphotographs', R('ablate_valid_stdboth_scratch24', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'answer {}% of the clean images, and are as often', R('ablate_ensemble_std_scratch24', 'clean_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'unsure-mix [--leave-out noise]`, {} and', R('ablate_train_lofo_all6', 'train_minutes'), None),
    ('nbs/explanations/04_unseen.ipynb', '\n{} minutes), both measured', R('ablate_train_lofo_nonoise6', 'train_minutes'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the network is {} points better on', -_lofo_cost(['gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise']), None),
    ('nbs/explanations/04_unseen.ipynb', 'neither covers, differ by {} points', -_lofo_cost(['elastic_transform']), None),
    ('nbs/explanations/04_unseen.ipynb', 'held-out images ({}% answered), the shipped', R('ablate_ensemble_std_scratch24', 'clean_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'detector alone answers\n{}% of the corrupted', R('ablate_ensemble_std_scratch24', 'alone_corrupted_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'corrupted images, {}% of them right', R('ablate_ensemble_std_scratch24', 'alone_corrupted_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the pair answers {}%, 97.29', R('ablate_ensemble_std_scratch24', 'corrupted_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the pair answers 24.6%, {}% right', R('ablate_ensemble_std_scratch24', 'corrupted_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'right on {} corruption-severity pairs against', R('ablate_ensemble_std_scratch24', 'below_95'), None),
    ('nbs/explanations/04_unseen.ipynb', 'pairs against {}. Matched', R('ablate_ensemble_std_scratch24', 'alone_below_95'), None),
    ('nbs/explanations/04_unseen.ipynb', 'answers only {}% of the clean images, and', R('ablate_ensemble_std_scratch24', 'alone_shift_clean_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'corrupted answers are {}% right. Under', R('ablate_ensemble_std_scratch24', 'alone_shift_corrupted_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'network alone ({}% and 88.3%)', _ensemble_sure('agree', 'frost'), None),
    ('nbs/explanations/04_unseen.ipynb', 'network alone (85.9% and {}%)', _ensemble_sure('agree', 'snow'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the pair is {}% right, as the shipped', _ensemble_sure('agree', 'fog'), None),
    ('nbs/explanations/04_unseen.ipynb', 'detector is, and {}% of the real photographs', R('ablate_ensemble_std_scratch24', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'against {}% and 2.20% for each network', R('ablate_valid_std_scratch24', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'against 1.83% and {}% for each network', R('ablate_valid_unsure6', 'real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', "severity 5 the pair's answers are {}% right,", _ensemble_sure('agree', 'motion_blur'), None),
    ('nbs/explanations/04_unseen.ipynb', "the shipped detector's {}%, and under fog", _ensemble_sure('member 0', 'motion_blur'), None),
    ('nbs/explanations/04_unseen.ipynb', 'is right\n{}% of the time, above the pair', R('ablate_ensemble_std_scratch24', 'alone_shift_worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'clean images\n({}%), but its sure', R('ablate_ensemble_std_scratch24', 'mean_rule_clean_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'worse at their worst ({}% right, under fog)', R('ablate_ensemble_std_scratch24', 'mean_rule_worst_sure_acc'), None),
    ('nbs/explanations/04_unseen.ipynb', 'with {}% of\nthe photographs called FAKE', R('ablate_ensemble_std_scratch24', 'mean_rule_real_sure_fake_pct'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the default engine is at {}x fastai', R('predict_throughput', 'predict_ratio'), None),
    ('nbs/explanations/04_unseen.ipynb', 'and it answers\n{}% of the clean images where', R('ablate_ensemble_std_scratch24', 'clean_coverage'), None),
    ('nbs/explanations/04_unseen.ipynb', 'the shipped detector is {} points below', R('detector_before', 'test_acc') - R('detector', 'test_acc'), 0.005),
    ('nbs/explanations/04_unseen.ipynb', 'CIFAKE-C mean {}% (target 90%)', R('corruptions', 'mean'), None),
    ('nbs/explanations/04_unseen.ipynb', 'worst corruption frost {}% (75%)', R('corruptions', 'worst'), None),
    ('nbs/explanations/04_unseen.ipynb', 'severity 5 about {}% right (95%)', R('corruptions', 'worst_sure_acc'), 1),
    ('nbs/explanations/04_unseen.ipynb', 'right (95%); {}% of the real photographs', R('corruptions', 'real_sure_fake_pct'), None),
    ('README.md', 'held-out test images (about {}%)', R('main_job', 'main_job_test_acc'), 1),
    ('README.md', 'The prediction-only install is {} MB', R('predict_startup', 'slim_mb'), None),
    ('README.md', 'of packages instead of {} MB', R('predict_startup', 'full_mb'), None),
    ('README.md', 'judges one image in {} s', R('predict_startup', 'slim_seconds'), None),
    ('README.md', 's with {} MB of\nmemory', R('predict_startup', 'slim_rss_mb'), None),
    ('README.md', 'about {}% on pristine images', R('main_job_robust', 'main_job_test_acc'), 1),
    ('nbs/tutorials/02_reproduce_the_study.ipynb', 'takes {} s with the package', R('gpu_epoch', 'r18_224_epoch_s_amp'), None),
    ('nbs/tutorials/02_reproduce_the_study.ipynb', 'and {} s with the reference `DataBlock`', R('gpu_epoch', 'r18_224_epoch_s_amp_datablock'), None),
    ('nbs/tutorials/02_reproduce_the_study.ipynb', '({} s for the fast loader in fp32', R('gpu_epoch', 'r18_224_epoch_s_fp32'), None),
    ('nbs/tutorials/02_reproduce_the_study.ipynb', 'takes {} s as the reference computes it', _body('baseline', r'reference procedure: wall ([\d.]+) s'), None),
    ('nbs/tutorials/02_reproduce_the_study.ipynb', "and {} s with the package's", _body('baseline', r'warm cache: wall ([\d.]+) s'), None),
    ('nbs/tutorials/02_reproduce_the_study.ipynb', 'trains in {} minutes to', R('cpu_train', 'train_minutes'), None),
    ('nbs/tutorials/02_reproduce_the_study.ipynb', 'minutes to {} %', R('cpu_train', 'test_acc'), None),
    ('nbs/tutorials/03_train_your_own_detector.ipynb', 'the full CIFAKE in about {} minutes', R('cpu_train', 'train_minutes'), 1),
    ('nbs/tutorials/03_train_your_own_detector.ipynb', 'about {} with `robust=True`', R('detector_before', 'train_minutes'), 1),
    ('nbs/04b_models.ipynb', 'trains at about {} images/s', R('distributed_scaling', 'images_per_s_1proc'), 50),
    ('nbs/05_baseline.ipynb', 'this gives {}% to', min(_ours_baseline()), None),
    ('nbs/05_baseline.ipynb', 'to {}% test accuracy', max(_ours_baseline()), None),
    ('nbs/explanations/01_cpu_recipe.ipynb', 'measures it on {} held-out ones', _body('robust_ablation', r'clean\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(\d+)'), None),
    ('nbs/06a_detector.ipynb', 'moved by up to {} and changed', R('int8_cpus', 'before_max_diff'), None),
    ('nbs/06a_detector.ipynb', 'and changed {} verdicts', R('int8_cpus', 'before_verdicts_changed'), None),
    ('nbs/06a_detector.ipynb', "moves the same file's P(FAKE) by up to {} there", R('int8_cpus', 'openvino_max_diff'), None),
    ('cifake_fastai/shipped/MODEL_CARD.md', 'Trained on 2 CPU cores in {} min', R('detector', 'train_minutes'), None),
    ('nbs/06a_detector.ipynb', 'end to end, where decoding takes part of the time, {} against', R('predict_throughput', 'openvino_ratio'), None),
    ('nbs/06a_detector.ipynb', "stock path, with {} % of the default engine's verdicts", R('predict_throughput', 'openvino_agree'), None),
    ('nbs/06a_detector.ipynb', 'against {} times fastai', R('predict_throughput', 'predict_ratio'), None),
    ('nbs/06a_detector.ipynb', 'network alone at {} times', _body('predict_throughput', r'OpenVINO [\d.]+ int8:\s+(\d+)')/_body('predict_throughput', r'\nint8:\s+(\d+)'), None),
]

@check
def prose_figures():
    "Every figure the pages quote in prose (README, tutorials, module pages, model card) is the committed result it comes from."
    from cifake_fastai.readme import check_prose
    bad = check_prose(ROOT, PROSE())
    assert bad == [], bad

def main()->int:
    bad = 0
    for f in CHECKS:
        try: f(); print(f'ok    {f.__name__}: {f.__doc__}')
        except AssertionError as e: bad += 1; print(f'FAIL  {f.__name__}: {f.__doc__} ({e})')
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main())
