#!/usr/bin/env python
"""Prediction throughput: `predict_images` against fastai's stock path, with the same model, on the 20,000 CIFAKE test JPEGs.

The model is the shipped detector (`load_detector()`: the robust CPU recipe's `cifake_resnet9`, width 16, at 32 px).
fastai's stock path is `learn.get_preds(dl=learn.dls.test_dl(files, bs=256))` with the verdict at the detector's own
threshold; ours is `predict_images(learn, files)` (also batches of 256), which decodes each file once (OpenCV for JPEGs at
the model's size, Pillow otherwise) and applies the learner's own batch transforms and activation. Both run once on 1,000
files first (warm file cache, lazy initialisation), then on all files, timed.

    python benchmarks/predict_throughput.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Last line: RESULT predict_ratio=<x> images_per_s=<n> same_predictions=<true|false>
"""
import time

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def main():
    import numpy as np, torch
    from cifake_fastai.core import list_images
    from cifake_fastai.inference import predict_images, load_detector, detector_threshold, verdicts
    root = cifake_root()
    files = [root/'test'/f for f in list_images(root/'test')]
    learn = load_detector()
    print(f'data: {root.name}/test, {len(files)} files; torch {torch.__version__}, {torch.get_num_threads()} threads; model {learn.model.name}', flush=True)
    stock = lambda fs: learn.get_preds(dl=learn.dls.test_dl(fs, bs=256))[0].numpy()
    ours = lambda fs: predict_images(learn, fs, bs=256)
    stock(files[:1000]); ours(files[:1000])                              # warm-up
    t = time.perf_counter(); ps = stock(files); t_stock = time.perf_counter() - t
    t = time.perf_counter(); pr = ours(files); t_ours = time.perf_counter() - t
    vocab = list(learn.dls.vocab)
    stock_verdicts = verdicts(ps[:, vocab.index('FAKE')], detector_threshold(learn))
    same = pr.path.tolist() == [str(f) for f in files] and pr.prediction.tolist() == list(stock_verdicts)
    diff = float(np.abs(pr.prob_fake.values - ps[:, vocab.index('FAKE')]).max())
    print(f'fastai stock path (test_dl + get_preds): {t_stock:.1f} s, {len(files)/t_stock:.0f} images/s')
    print(f'predict_images: {t_ours:.1f} s, {len(files)/t_ours:.0f} images/s; unreadable {int(pr.error.notna().sum())}')
    print(f'same labels for all {len(files)} files: {same}; largest difference in P(FAKE): {diff:.2e}')
    print(f'RESULT predict_ratio={t_stock/t_ours:.1f} images_per_s={len(files)/t_ours:.0f} same_predictions={str(same).lower()}')

if __name__ == '__main__':
    with recorded('predict_throughput'): main()
