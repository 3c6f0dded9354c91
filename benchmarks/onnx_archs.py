#!/usr/bin/env python
"""Which networks a detector folder gets ONNX copies for: each architecture built as `train_model` builds it (fastai's
`vision_learner`, untrained here: whether it exports does not depend on its weights) on the bundled sample's fast loader,
saved with `save_detector` (weights, config, ONNX copy, the int8 check), loaded back, and its ONNX copy's probabilities
compared with PyTorch's on 64 test images. A network the exporter cannot trace is saved without copies (`onnx_error` in its
config) and predicts with PyTorch.

    python benchmarks/onnx_archs.py
    python benchmarks/onnx_archs.py --archs resnet18 convnext_tiny

Last line: RESULT exported=<n> of=<n> failed=<names or none> max_prob_diff=<largest |ONNX - PyTorch| over the exported>
"""
import argparse, tempfile, time, warnings
from pathlib import Path
from provenance import recorded

ARCHS = [('resnet18', 64), ('resnet34', 64), ('vit_tiny_patch16_224', 224), ('convnext_atto', 64), ('efficientnet_b0', 64),
         ('mobilenet_v3_small', 64), ('densenet121', 64), ('regnety_002', 64)]

def main(archs):
    import numpy as np, torch
    from fastai.vision.all import vision_learner
    from cifake_fastai.core import sample_path
    from cifake_fastai.data import fast_dls
    from cifake_fastai.models import get_arch, vision_config
    from cifake_fastai.detector import save_detector, load_detector
    from cifake_fastai.inference import predict_probs
    files = sorted((sample_path()/'test'/'FAKE').iterdir())[:32] + sorted((sample_path()/'test'/'REAL').iterdir())[:32]
    ok, failed, diffs = [], [], []
    for arch, size in archs:
        t = time.time()
        torch.manual_seed(0)
        dls = fast_dls(sample_path(), size=size, bs=32, valid_pct=0.2, device='cpu')
        learn = vision_learner(dls, get_arch(arch), pretrained=False)
        learn.model.cfg = vision_config(arch, dls.c)
        with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
            warnings.simplefilter('ignore')               # (save's notes; a failed export is in the config's onnx_error)
            det = load_detector(save_detector(learn, Path(d)/arch))
            if det.onnx_copy() is None:
                failed.append(arch); print(f"{arch:22s} no ONNX copy: {det.config.get('onnx_error')}"); continue
            po, pt = predict_probs(det, files, engine='onnx'), predict_probs(det, files, engine='torch')
            diff = float(np.abs(po - pt).max()); diffs.append(diff); ok.append(arch)
            mb = det.onnx_copy().stat().st_size/2**20
            print(f"{arch:22s} ONNX copy {mb:6.1f} MB, int8 copy {'kept' if det.config['int8']['kept'] else 'not kept'}; largest |ONNX - PyTorch| {diff:.2e}; "
                  f"{time.time() - t:.0f} s")
    print(f"RESULT exported={len(ok)} of={len(archs)} failed={','.join(failed) or 'none'} max_prob_diff={max(diffs) if diffs else float('nan'):.1e}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--archs', nargs='*', default=None, help='architectures (timm or torchvision names), each at 64 px (ViTs at their size)')
    a = p.parse_args()
    archs = ARCHS if not a.archs else [(x, 224 if x.startswith('vit_') else 64) for x in a.archs]
    with recorded('onnx_archs'): main(archs)
