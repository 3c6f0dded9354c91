#!/usr/bin/env python
"""Write the ONNX copy of a detector saved before `save_detector` wrote one (e.g. the shipped one), and record its SHA-256.

The weights are not touched: `model.onnx` is exported from them (`export_onnx`) and `onnx_sha256` added to `config.json`.

    python scripts/add_onnx.py                      # the shipped detector, cifake_fastai/detector
    python scripts/add_onnx.py runs/my-detector     # a folder written by save_detector
"""
import json, sys
from pathlib import Path
from cifake_fastai.inference import CONFIG, export_onnx, file_sha256, load_detector, shipped_detector

def main(path=None):
    d = Path(path) if path else shipped_detector()
    learn = load_detector(d)
    o = export_onnx(learn, d)
    if o is None: sys.exit(f"{d}: this detector resizes after decoding; it has no ONNX copy")
    cfg = json.loads((d/CONFIG).read_text())
    cfg['onnx_sha256'] = file_sha256(o)
    (d/CONFIG).write_text(json.dumps(cfg, indent=1))
    print(f"wrote {o} ({o.stat().st_size/2**20:.1f} MB), SHA-256 {cfg['onnx_sha256'][:16]}... in {d/CONFIG}")

if __name__ == '__main__': main(*sys.argv[1:2])
