#!/usr/bin/env python
"""What degradation-aware training costs per epoch: the robust recipe's training steps with and without `RandomDegrade`
in the loader, timed in alternating rounds in one process (so that the machine's speed, which drifts from hour to hour,
weighs on both alike). A step is everything an epoch repeats: the loader's batch (slicing the cache, the degradations,
flips, normalising), the forward and backward pass and the optimiser step.

    python benchmarks/degrade_overhead.py [--rounds 6] [--steps 15] [--p 0.5]

Last line: RESULT overhead_pct=<%> step_s_plain=<s> step_s_robust=<s> epoch_min_plain=<min> epoch_min_robust=<min>
(epoch minutes for the 95,010 training images of the full CIFAKE at batch 256)
"""
import argparse, tempfile, time
from pathlib import Path

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def main(data, out, rounds, steps, p):
    import numpy as np, torch
    from fastai.vision.all import Flip, LabelSmoothingCrossEntropyFlat, set_seed
    from cifake_fastai.data import fast_dls
    from cifake_fastai.degrade import RandomDegrade
    from cifake_fastai.train import cifake_resnet9
    root = cifake_root(data, out=Path(out)/'data')
    set_seed(0)
    dls = {'plain': fast_dls(root/'train', size=32, bs=256, valid_pct=0.05, batch_tfms=[Flip()], device='cpu'),       # a CPU epoch, also
           'robust': fast_dls(root/'train', size=32, bs=256, valid_pct=0.05, batch_tfms=[Flip(), RandomDegrade(p)], device='cpu')}   # where there is a GPU
    model = cifake_resnet9(16).to(memory_format=torch.channels_last).train()
    opt, loss_func = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9), LabelSmoothingCrossEntropyFlat(eps=0.1)
    its = {k: iter(d.train) for k, d in dls.items()}
    def step(k):
        xb, yb = next(its[k])
        loss = loss_func(model(xb.contiguous(memory_format=torch.channels_last)), yb)
        loss.backward(); opt.step(); opt.zero_grad()
    for k in its: step(k)                                      # warm-up
    times = {k: [] for k in its}
    for r in range(rounds):
        for k in (('plain', 'robust') if r % 2 == 0 else ('robust', 'plain')):
            t = time.perf_counter()
            for _ in range(steps): step(k)
            times[k].append((time.perf_counter() - t)/steps)
        print(f"round {r}: plain {times['plain'][-1]:.3f} s/step, robust {times['robust'][-1]:.3f} s/step", flush=True)
    s = {k: float(np.median(v)) for k, v in times.items()}
    n_steps = len(dls['plain'].train)
    print(f"{n_steps} steps per epoch of {len(dls['plain'].train_ds)} images; torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"RESULT overhead_pct={100*(s['robust']/s['plain'] - 1):.1f} step_s_plain={s['plain']:.3f} step_s_robust={s['robust']:.3f} "
          f"epoch_min_plain={s['plain']*n_steps/60:.2f} epoch_min_robust={s['robust']*n_steps/60:.2f}")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    ap.add_argument('--rounds', type=int, default=6, help='alternating rounds of each')
    ap.add_argument('--steps', type=int, default=15, help='training steps per round')
    ap.add_argument('--p', type=float, default=0.5, help="RandomDegrade's share of degraded images")
    ap.add_argument('--name', default='degrade_overhead', help='results file: benchmarks/results/<name>.txt')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as out, recorded(a.name): main(a.data, out, a.rounds, a.steps, a.p)
