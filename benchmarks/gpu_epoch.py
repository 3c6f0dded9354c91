#!/usr/bin/env python
"""On a GPU: the reference ResNet-18's epoch at 224 px with and without mixed precision, and the CPU recipe's time and accuracy.

The reference trains `vision_learner(dls, resnet18)` on `DataBlock` loaders at 224 px, batch 64, 80% of train/. Timed here:
one epoch of ResNet-18 (from scratch: the machine is offline, and an unfrozen epoch costs the same with ImageNet weights)
on the fast loader in float32 and in mixed precision, and on the reference `DataBlock` loader in mixed precision. Then
`train_cpu_recipe` with its defaults, and a wider, longer variant, each evaluated on all test images and on the clean ones.
The epoch counts are fixed in advance: the test set only reports, it selects nothing.

    python benchmarks/gpu_epoch.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Last line: RESULT r18_224_epoch_s_fp32=<s> r18_224_epoch_s_amp=<s> r18_224_epoch_s_amp_datablock=<s> recipe_minutes=<m>
recipe_test_acc=<%> recipe_test_acc_clean=<%> wide_minutes=<m> wide_test_acc=<%> wide_test_acc_clean=<%>
"""
import argparse, os, tempfile, time
from pathlib import Path

from provenance import cifake_root, epoch_seconds, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def main(data, out):
    import torch
    from cifake_fastai.data import fast_dls, cifake_dls
    from cifake_fastai.train import train_model, train_cpu_recipe
    from cifake_fastai.evaluate import evaluate, metrics_table
    root = cifake_root(data, out=Path(out)/'data')
    print(f'data: {root.name}; torch {torch.__version__}; {torch.cuda.get_device_name()}', flush=True)
    res = {}
    for name, mk, mp in (('fp32', lambda: fast_dls(root/'train', size=224, bs=64), False),
                         ('amp', lambda: fast_dls(root/'train', size=224, bs=64), True),
                         ('amp_datablock', lambda: cifake_dls(root/'train', size=224, bs=64, num_workers=min(16, os.cpu_count())), True)):
        dls = mk()
        t = time.time()
        learn = train_model(dls, 'resnet18', epochs=1, pretrained=False, patience=None, out=out, fname=f'r18-{name}',
                            mixed_precision=mp, overwrite=True)
        res[f'r18_224_epoch_s_{name}'] = epoch_seconds(learn.history.time.iloc[-1])   # the last epoch
        print(f'resnet18 224 px, {name}: epoch {res[f"r18_224_epoch_s_{name}"]:.0f} s (fastai), {time.time()-t:.0f} s wall with setup; '
              f'{len(dls.train_ds)} training images, valid accuracy {100*learn.history.accuracy.iloc[-1]:.2f}%', flush=True)
    for key, kw in (('recipe', {}), ('wide', dict(width=64, epochs=24))):
        t = time.time()
        learn = train_cpu_recipe(root/'train', out=out, overwrite=True, **kw)
        minutes = (time.time() - t)/60
        r = evaluate(learn, root/'test', bs=1024).record
        res.update({f'{key}_minutes': minutes, f'{key}_test_acc': r['accuracy'], f'{key}_test_acc_clean': r['clean']['accuracy']})
        print(f"\n{key} ({kw or 'defaults'}): {minutes:.1f} min of training; test {r['accuracy']:.2f}%, clean {r['clean']['accuracy']:.2f}%")
        print(learn.history.to_string(index=False))
        print(metrics_table(r).round(4).to_string(), flush=True)
    fmt = lambda k, v: f'{k}={v:.1f}' if 'epoch_s' in k or 'minutes' in k else f'{k}={v:.2f}'
    print('RESULT ' + ' '.join(fmt(k, v) for k, v in res.items()))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', default=None, help='CIFAKE folder or the folder with train.tar.gz and test.tar.gz')
    a = p.parse_args()
    with recorded('gpu_epoch'), tempfile.TemporaryDirectory() as d: main(a.data, d)
