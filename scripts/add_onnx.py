#!/usr/bin/env python
"""Write the ONNX copies of a detector saved before `Detector.save` wrote them (e.g. the shipped one), record their SHA-256,
and bring its model card's shared parts up to date.

The weights are not touched: `model.onnx` is exported from them (`export_onnx`, its SHA-256 as `onnx_sha256` in
`config.json`), then the int8 copy is made and checked on the detector's validation images (`export_int8`, what the check
measured as `int8` in `config.json`; `model.int8.onnx` only if it passed). The validation images are the training folder's
split that `train_cpu_recipe` held out (`CPU_RECIPE['valid_pct']`, seed 42), as the shipped detector was trained. Then the
card's metadata, how to start, uses, files, figures at the operating threshold and licence (`card_parts`) are written
from the detector's evaluation on the test folder beside the training folder (its float copy, as the card's metrics).

    python scripts/add_onnx.py                                   # the shipped detector, cifake_fastai/shipped; CIFAKE's train/
    python scripts/add_onnx.py runs/my-detector path/to/train    # a folder written by save_detector, and its training folder
    python scripts/add_onnx.py --card-only                       # only the card's shared parts (e.g. after copying a detector in)
"""
import json, re, sys
from pathlib import Path
from cifake_fastai.detector import CONFIG, export_onnx, export_int8, file_sha256, load_detector, shipped_detector
from cifake_fastai.evaluate import evaluate, card_parts, with_card_parts
from cifake_fastai.data import fast_dls
from cifake_fastai.train import CPU_RECIPE

def main(path=None, train=None, card_only=False):
    d = Path(path) if path else shipped_detector()
    if train is None:
        sys.path.insert(0, str(Path(__file__).parents[1]/'benchmarks'))
        from provenance import cifake_root
        train = cifake_root()/'train'
    if card_only: return write_card(d, train)
    det = load_detector(d)
    o = export_onnx(det, d)
    if o is None: sys.exit(f"{d}: this detector resizes after decoding; it has no ONNX copy")
    cfg = json.loads((d/CONFIG).read_text())
    cfg['onnx_sha256'] = file_sha256(o)
    valid = fast_dls(train, valid_pct=CPU_RECIPE['valid_pct'], seed=42, size=cfg['input_size'], cache_size=cfg['cache_size'], device='cpu').valid
    vocab = det.vocab
    y = valid.y if list(valid.dataset.vocab) == vocab else [vocab.index(valid.dataset.vocab[i]) for i in valid.y]
    cfg['int8'] = export_int8(det, d, valid.x, y)
    (d/CONFIG).write_text(json.dumps(cfg, indent=1))
    print(f"wrote {o} ({o.stat().st_size/2**20:.1f} MB), SHA-256 {cfg['onnx_sha256'][:16]}... in {d/CONFIG}")
    print(f"int8 copy, checked on {cfg['int8']['n_check']} validation images after calibrating on {cfg['int8']['n_calib']}: {cfg['int8']}")
    write_card(d, train)

def write_card(d:Path, train):
    "The card's shared parts, from the detector's evaluation on the test folder beside `train`."
    if (card := d/'MODEL_CARD.md').is_file() and (Path(train).parent/'test').is_dir():
        det = load_detector(d)
        ev = evaluate(det, Path(train).parent/'test', bs=1024, engine='onnx')
        title = re.search(r'(?m)^# (.+)$', card.read_text()).group(1)
        card.write_text(with_card_parts(card.read_text(), card_parts(det, ev, 'detector' if d == shipped_detector() else d.name, title)))
        print(f"model card's shared parts written from {ev.record['n']} test images: {card}")

if __name__ == '__main__':
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('path', nargs='?', default=None, help='detector folder (default: the shipped one)')
    p.add_argument('train', nargs='?', default=None, help="its training folder (default: CIFAKE's train/)")
    p.add_argument('--card-only', action='store_true', help="only the card's shared parts (e.g. after copying a detector in)")
    a = p.parse_args()
    main(a.path, a.train, card_only=a.card_only)
