#!/usr/bin/env python
"""Give a saved detector (e.g. the shipped one) its distance rule: UNSURE for images whose features are far from its
training images' (`fit_distance`), then write its ONNX and int8 copies and its model card's shared parts again
(`scripts/add_onnx.py`).

The weights are not touched. The bank is drawn from the training folder's training split and the cut-off fitted on the
split `train_cpu_recipe` held out (`CPU_RECIPE['valid_pct']`, seed 42), as the shipped detector was trained. The UNSURE band
is then chosen again on the held-out images the distance rule answers, with a stated guarantee (`guaranteed_unsure_band`: at
least `--accuracy` right outside it with probability 1 - `--delta`).

    python scripts/add_distance.py                                        # the shipped detector, CIFAKE's train/
    python scripts/add_distance.py runs/my-detector path/to/train --keep 0.97
"""
import argparse, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
import add_onnx
from cifake_fastai.detector import fit_distance, load_detector, shipped_detector
from cifake_fastai.data import fast_dls
from cifake_fastai.evaluate import choose_unsure_band, guaranteed_unsure_band
from cifake_fastai.inference import predict_probs
import numpy as np
from cifake_fastai.train import CPU_RECIPE

def main(path=None, train=None, keep=0.95, n_bank=2000, k=5, accuracy=0.99, delta=0.05):
    d = Path(path) if path else shipped_detector()
    if train is None:
        sys.path.insert(0, str(Path(__file__).parents[1]/'benchmarks'))
        from provenance import cifake_root
        train = cifake_root()/'train'
    det = load_detector(d)
    dls = fast_dls(train, valid_pct=CPU_RECIPE['valid_pct'], seed=42, size=det.config['input_size'], cache_size=det.decoded_size, device='cpu')
    fit_distance(det, dls.train.x, dls.valid.x, keep=keep, n_bank=n_bank, k=k)
    p, dist = predict_probs(det, list(dls.valid.x), bs=1024, distance=True)
    near, pf = ~det.far(dist), p[:, det.vocab.index('FAKE')]
    y = np.array(dls.vocab)[dls.valid.y] == 'FAKE'
    old = det.band
    det.config['band'] = list(guaranteed_unsure_band(y[near], pf[near], det.threshold, accuracy=accuracy, delta=delta))
    det.config.update(unsure_accuracy=accuracy, band_delta=delta)
    point = choose_unsure_band(y[near], pf[near], det.threshold, accuracy=accuracy)
    print(f"UNSURE band {old} -> {det.band}: at least {100*accuracy:g}% right outside it with probability {1 - delta:g} (Learn then Test) on the "
          f"held-out images the distance rule answers; the band right {100*accuracy:g}% of the time on them would be {point}")
    det.save(d, overwrite=True, int8=False)                  # the int8 copy: made and checked below, on the validation images
    print(f"distance rule: {det.distance}")
    add_onnx.main(d, train)
    if (card := d/'MODEL_CARD.md').is_file(): card.write_text(with_verdicts(card.read_text(), load_detector(d)))

def with_verdicts(md:str, det)->str:
    "The card's Verdicts section, its second paragraph (the UNSURE rule) said again for the rule the detector has now."
    head, rest = md.split('## Verdicts', 1)
    body, tail = rest.split('\n## ', 1)
    first = body.strip().split('\n\n')[0]
    rule = (f"By default (`cifake predict`, `predict_images` and the upload page alike; `--no-unsure` or a threshold of one's own turn it "
            f"off), the detector answers by this rule: {det.rule(markdown=True)}. The band was chosen with `guaranteed_unsure_band` "
            f"on the held-out images the distance rule answers; the distance rule (`fit_distance`: the {det.distance['k']}-th nearest of "
            f"{det.distance['n_bank']:,} training images, on the features of the network's stages) sets aside about "
            f"{100*(1 - det.distance['keep']):g}% of images like the held-out ones, and far more of images unlike them (the CIFAKE-C section "
            f"below). What this gives on the test set is in the table under *At the operating threshold*.")
    return f"{head}## Verdicts\n{first}\n\n{rule}\n\n## {tail}"

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('path', nargs='?', default=None, help='detector folder (default: the shipped one)')
    p.add_argument('train', nargs='?', default=None, help="its training folder (default: CIFAKE's train/)")
    p.add_argument('--keep', type=float, default=0.95, help='share of held-out images nearer than the cut-off')
    p.add_argument('--n-bank', type=int, default=2000, help='training images kept')
    p.add_argument('--k', type=int, default=5, help='distance to the k-th nearest')
    p.add_argument('--accuracy', type=float, default=0.99, help='accuracy guaranteed outside the UNSURE band')
    p.add_argument('--delta', type=float, default=0.05, help='probability that the guarantee fails')
    a = p.parse_args()
    main(a.path, a.train, a.keep, a.n_bank, a.k, a.accuracy, a.delta)
