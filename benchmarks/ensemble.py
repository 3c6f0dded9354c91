#!/usr/bin/env python
"""A small ensemble as the abstention issue 30 asks to weigh: detectors that each answer by their own rule, combined, measured
on the images `benchmarks/corruptions.py` measures one detector on (clean and CIFAKE-C, the same draws; real photographs
from outside CIFAKE: `benchmarks/photos.py`'s and scikit-image's).

    python benchmarks/ensemble.py --valid --members cifake_fastai/shipped runs/OTHER [runs/THIRD ...]

Rules, each member's own first, then:
- `agree`: a verdict only when every member gives it (each by its own UNSURE band and distance rule), else UNSURE;
- `mean`: the members' mean log-odds margin (each one's log-odds of P(FAKE) less its threshold's), FAKE at or above 0;
  UNSURE when any member's distance rule sets the image aside, or inside a band chosen on the held-out split of train/
  (`guaranteed_unsure_band`, 99% right with probability 0.95, on the images no member sets aside), as `fit_detector` chooses
  one detector's band.
- `member 0, as often answered`: the first member alone, answering as few clean images as `agree` does: of its own sure
  verdicts, those with the smallest |margin| set aside (the cut chosen on the clean images measured): whether agreement does
  more than answering less. Matched on clean images only: under the corruptions each rule answers what it answers
  (`corrupted_coverage`, the mean share answered over the 95 corruption-severity pairs; `corrupted_sure_acc`, the share of
  all those answers that are right).
- `member 0, as often answered under corruption`: the same, the cut chosen so that it answers as many of the corrupted images
  (all 95 pairs together) as `agree` does: whether the pair's answers under the corruptions are better, not only fewer.
With `--valid`, the members' bands and distance rules, the mean rule's band and the cut were all fitted on held-out images
that include the measured ones: the clean figures are partly in-sample, for every rule alike.
Forced verdicts (`clean`, `mean`, `worst`) are the mean margin's at 0 for both rules. The ensemble runs every member's
network on every image, so it costs k times one detector's network (not timed here; `benchmarks/predict_throughput.py` times one).

Writes benchmarks/results/<name>.txt and <name>.csv: every rule's figures as a table, and the last line, for `agree`
(as corruptions.py counts them; below_95: corruption-severity pairs with at least 50 answered images whose answers are under
95% right), with the first member as often answered on clean images (`alone_`) and under corruption (`alone_shift_`), and the `mean` rule, beside it:
RESULT rule=agree clean=<%> mean=<%> worst=<%> worst_name=<corruption> unseen_mean=<%> worst_sure_acc=<%> worst_sure_name=<pair>
       below_95=<pairs> clean_coverage=<%> clean_sure_acc=<%> corrupted_coverage=<%> corrupted_sure_acc=<%> real_sure_fake_pct=<%>
       skimage_sure_fake_pct=<%> alone_worst_sure_acc=<%> alone_below_95=<pairs> alone_clean_sure_acc=<%> alone_corrupted_coverage=<%>
       alone_corrupted_sure_acc=<%> alone_shift_clean_coverage=<%> alone_shift_corrupted_sure_acc=<%> alone_shift_worst_sure_acc=<%>
       alone_shift_below_95=<pairs> alone_shift_real_sure_fake_pct=<%> alone_real_sure_fake_pct=<%>
       mean_rule_clean_coverage=<%> mean_rule_corrupted_coverage=<%> mean_rule_worst_sure_acc=<%> mean_rule_below_95=<pairs> mean_rule_real_sure_fake_pct=<%> members=<k> n=<images>
"""
import argparse
from pathlib import Path
import numpy as np

from provenance import recorded, RESULTS
from corruptions import SEEN, UNSEEN, images, corrupted, real_photos

def margin(det, probs)->np.ndarray:
    "Log-odds of P(FAKE) less the log-odds of the detector's threshold: 0 at its threshold, positive on its FAKE side."
    p = np.clip(np.asarray(probs, np.float64)[:, det.vocab.index('FAKE')], 1e-7, 1 - 1e-7)
    return np.log(p/(1 - p)) - np.log(det.threshold/(1 - det.threshold))

def agree(said:list)->np.ndarray:
    "Each image's verdict when all members give the same one, else UNSURE."
    out = said[0].copy()
    for s in said[1:]: out = np.where(out == s, out, 'UNSURE').astype(object)
    return out

def figures(rows)->dict:
    "One rule's figures, as corruptions.py's RESULT counts them, from its rows (one per set: clean, corruption-severity, photographs)."
    import pandas as pd
    t = pd.DataFrame(rows)
    c = t[t.corruption == 'clean'].iloc[0]; cc = t[t.severity > 0]
    per = cc.groupby('corruption').acc.mean(); ok = cc[cc.n_answered >= 50]; ws = ok.loc[ok.sure_acc.idxmin()]
    return dict(clean=c.acc, mean=per.mean(), worst=per.min(), worst_name=per.idxmin(), unseen_mean=per[UNSEEN].mean(), corrupted_coverage=cc.answered.mean(),
                corrupted_sure_acc=(cc.sure_acc.fillna(0)*cc.n_answered).sum()/cc.n_answered.sum(),
                worst_sure_acc=ws.sure_acc, worst_sure_name=f'{ws.corruption}-{int(ws.severity)}', below_95=int((ok.sure_acc < 95).sum()),
                clean_coverage=c.answered, clean_sure_acc=c.sure_acc,
                real_sure_fake_pct=t[t.corruption == 'photos (packages on PyPI)'].sure_fake.iloc[0],
                skimage_sure_fake_pct=t[t.corruption == 'photos (scikit-image)'].sure_fake.iloc[0])

def outputs(det, xs)->tuple:
    "A member's margin, its own verdict and whether its distance rule sets each image aside, on the images `xs`."
    from cifake_fastai.inference import predict_probs
    p, dist = predict_probs(det, list(xs), bs=1024, distance=True)
    return margin(det, p), det.verdicts(p, distance=dist), np.zeros(len(p), bool) if dist is None or det.distance is None else det.far(dist)

at_zero = lambda m: np.where(m >= 0, 'FAKE', 'REAL').astype(object)      # the verdict forced at a margin of 0 (the threshold)
sigmoid = lambda m: 1/(1 + np.exp(-m))

def row(forced, said, truth)->dict:
    sure = said != 'UNSURE'
    return dict(acc=100*float((forced == truth).mean()), answered=100*float(sure.mean()), n_answered=int(sure.sum()),
                sure_acc=100*float((said[sure] == truth[sure]).mean()) if sure.any() else float('nan'),
                sure_fake=100*float((said == 'FAKE').mean()))

def main(data, members, n, name, workers, valid):
    import pandas as pd
    from cifake_fastai.detector import load_detector, verdicts_at
    from cifake_fastai.evaluate import guaranteed_unsure_band
    from photos import package_photos
    dets = [load_detector(m) for m in members]
    if len({tuple(d.vocab) for d in dets}) > 1 or 'FAKE' not in dets[0].vocab: raise SystemExit("the members must all be REAL/FAKE detectors")
    x, truth, where, xh, th = images(data, n, valid, held_out=True)
    print(f"data: {where}, {len(x)} images; band fitted on {len(xh)} held-out images of train/; members:", flush=True)
    for d in dets: print(f"  {d!r}", flush=True)
    sets = [('clean', 'clean', 0, x, truth)]
    sets += [(c, 'seen' if c in SEEN else 'unseen', s, xs, truth) for c, s, xs in corrupted(x, workers)]
    for what, real in (('packages on PyPI', package_photos()[1]), ('scikit-image', real_photos())):
        sets.append((f'photos ({what})', 'photos', 0, real, np.full(len(real), 'REAL', dtype=object)))
    outs = [[outputs(d, xs) for _, _, _, xs, _ in sets] for d in dets]      # each member's (margin, its own verdict, far) on every set
    agreed = [agree([o[i][1] for o in outs]) for i in range(len(sets))]
    # the mean rule's band, on the held-out split: every member's margin and distance rule there
    mh, _, fh = zip(*[outputs(d, xh) for d in dets])
    pm, near = sigmoid(np.mean(mh, 0)), ~np.logical_or.reduce(fh)
    band = guaranteed_unsure_band(th[near] == 'FAKE', pm[near], 0.5, accuracy=0.99, delta=0.05)
    print(f"mean rule: UNSURE band [{band[0]:.4f}, {band[1]:.4f}) on sigmoid(mean margin), fitted on {int(near.sum())} held-out images "
          f"no member sets aside ({100*near.mean():.2f}%)", flush=True)
    # the first member alone, answering as few clean images as the agreement does: of its own sure verdicts, the least sure (smallest
    # |margin|) set aside until as many clean images are answered; a subset of its answers, so never a verdict it would not give
    # (on the clean images; and, a second baseline, on all the corrupted images together)
    def cut_for(idx:list)->float:
        "The |margin| at or above which the first member's sure verdicts on the sets `idx` are as many as the pair's agreed ones."
        n = sum(int((agreed[i] != 'UNSURE').sum()) for i in idx)
        a = np.sort(np.concatenate([np.abs(outs[0][i][0][outs[0][i][1] != 'UNSURE']) for i in idx]))[::-1]
        return a[n - 1] if 0 < n <= len(a) else np.inf
    cuts = {'member 0, as often answered': cut_for([0]),
            'member 0, as often answered under corruption': cut_for([i for i, st in enumerate(sets) if st[2] > 0])}
    rows = []
    for i, (c, fam, sev, xs, tr) in enumerate(sets):
        m = np.mean([o[i][0] for o in outs], 0); forced = at_zero(m)
        said_mean = np.where(np.logical_or.reduce([o[i][2] for o in outs]), 'UNSURE', verdicts_at(sigmoid(m), band=band)).astype(object)
        base = dict(corruption=c, family=fam, severity=sev)
        for k, o in enumerate(outs): rows.append(dict(rule=f'member {k}', **base, **row(at_zero(o[i][0]), o[i][1], tr)))
        for rule, cut in cuts.items():
            rows.append(dict(rule=rule, **base, **row(at_zero(outs[0][i][0]), np.where((np.abs(outs[0][i][0]) >= cut) & (outs[0][i][1] != 'UNSURE'), outs[0][i][1], 'UNSURE').astype(object), tr)))
        rows.append(dict(rule='mean', **base, **row(forced, said_mean, tr)))
        rows.append(dict(rule='agree', **base, **row(forced, agreed[i], tr)))
    t = pd.DataFrame(rows)
    t.round(3).to_csv(RESULTS/f'{name}.csv', index=False)
    res = {r: figures(t[t.rule == r]) for r in t.rule.unique()}
    with pd.option_context('display.width', 250, 'display.max_columns', 30):
        print('\n' + pd.DataFrame(res).T.to_string(float_format=lambda v: f'{v:.2f}'))
        print('\nanswered (%) and right of those (%) under the unseen families at severity 5:')
        u = t[(t.family == 'unseen') & (t.severity == 5)].pivot(index='corruption', columns='rule', values=['answered', 'sure_acc'])
        print(u.round(1).to_string())
    f, a, a2, m = res['agree'], res['member 0, as often answered'], res['member 0, as often answered under corruption'], res['mean']
    print(f"RESULT rule=agree clean={f['clean']:.2f} mean={f['mean']:.2f} worst={f['worst']:.2f} worst_name={f['worst_name']} "
          f"unseen_mean={f['unseen_mean']:.2f} worst_sure_acc={f['worst_sure_acc']:.2f} worst_sure_name={f['worst_sure_name']} "
          f"below_95={f['below_95']} clean_coverage={f['clean_coverage']:.2f} clean_sure_acc={f['clean_sure_acc']:.2f} corrupted_coverage={f['corrupted_coverage']:.2f} corrupted_sure_acc={f['corrupted_sure_acc']:.2f} "
          f"real_sure_fake_pct={f['real_sure_fake_pct']:.2f} skimage_sure_fake_pct={f['skimage_sure_fake_pct']:.2f} "
          f"alone_worst_sure_acc={a['worst_sure_acc']:.2f} alone_below_95={a['below_95']} alone_clean_sure_acc={a['clean_sure_acc']:.2f} alone_corrupted_coverage={a['corrupted_coverage']:.2f} alone_corrupted_sure_acc={a['corrupted_sure_acc']:.2f} "
          f"alone_shift_clean_coverage={a2['clean_coverage']:.2f} alone_shift_corrupted_sure_acc={a2['corrupted_sure_acc']:.2f} alone_shift_worst_sure_acc={a2['worst_sure_acc']:.2f} "
          f"alone_shift_below_95={a2['below_95']} alone_shift_real_sure_fake_pct={a2['real_sure_fake_pct']:.2f} "
          f"alone_real_sure_fake_pct={a['real_sure_fake_pct']:.2f} mean_rule_clean_coverage={m['clean_coverage']:.2f} "
          f"mean_rule_corrupted_coverage={m['corrupted_coverage']:.2f} mean_rule_worst_sure_acc={m['worst_sure_acc']:.2f} mean_rule_below_95={m['below_95']} mean_rule_real_sure_fake_pct={m['real_sure_fake_pct']:.2f} "
          f"members={len(dets)} n={len(x)}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--members', nargs='+', required=True, help='detector folders (at least two)')
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    p.add_argument('--n', type=int, default=1000, help='images (the same draw as corruptions.py)')
    p.add_argument('--workers', type=int, default=2, help='processes that corrupt the images')
    p.add_argument('--name', default='ensemble', help='results file name')
    p.add_argument('--valid', action='store_true', help="the held-out split of train/ the recipe chooses on, instead of test images (to choose)")
    a = p.parse_args()
    if len(a.members) < 2: p.error('give at least two --members')
    with recorded(a.name): main(a.data, [Path(m) for m in a.members], a.n, a.name, a.workers, a.valid)
