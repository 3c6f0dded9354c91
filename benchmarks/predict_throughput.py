#!/usr/bin/env python
"""Prediction throughput of the shipped detector on the 20,000 CIFAKE test JPEGs: fastai's stock path against
`predict_images` through PyTorch and through ONNX Runtime (the default for a detector with an ONNX copy), and an int8
copy of the ONNX graph as a measured option.

- stock: `learn.get_preds(dl=learn.dls.test_dl(files, bs=256))`, verdicts at the detector's threshold;
- `predict_images(learn, files, engine='torch')`: each file decoded once, the learner's batch transforms, a BatchNorm-
  folded copy of the network;
- `predict_images(learn, files, engine='onnx')`: the same decoding, then the ONNX copy (normalisation and temperature inside).
- int8: ONNX Runtime's static quantisation (QDQ, uint8 activations, per-channel int8 weights) of the ONNX copy, calibrated on 512 images of the
  detector's own validation split (5 % of train/, seed 42, as `train_cpu_recipe` holds it out); its test accuracy (all and
  clean test images) and expected calibration error against the fp32 copy's, and its speed on the decoded images.

Every path runs once on 1,000 files first (warm file cache, lazy initialisation), then on all files, timed.

    python benchmarks/predict_throughput.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake

Last line: RESULT predict_ratio=<onnx/stock> images_per_s=<onnx> same_predictions=<true|false> torch_ratio=<torch/stock>
           max_prob_diff=<onnx vs stock> int8_ratio=<int8/fp32 on decoded images> int8_acc_delta=<points> int8_ece_delta=<x>
"""
import tempfile, time
from pathlib import Path

from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def timed(f, *args, **kwargs):
    t = time.perf_counter(); r = f(*args, **kwargs)
    return r, time.perf_counter() - t

def int8_copy(learn, out:Path, n:int=512)->Path:
    "Static int8 quantisation of the detector's ONNX copy, calibrated on `n` images of its validation split."
    import numpy as np
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from cifake_fastai.data import fast_dls
    from cifake_fastai.cache import decode_rgb
    dls = fast_dls(cifake_root()/'train', size=32, valid_pct=0.05, seed=42, bs=256)
    files = list(dls.valid_ds.items)[:n]
    x = np.stack([decode_rgb(f, 32)[0] for f in files])
    class Reader(CalibrationDataReader):
        def __init__(self): self.it = iter([{'images': x[i:i+64]} for i in range(0, len(x), 64)])
        def get_next(self): return next(self.it, None)
    pre = out/'pre.onnx'
    quant_pre_process(str(learn.onnx), str(pre), skip_symbolic_shape=True)   # the symbolic pass fails on the exporter's Reshape
    quantize_static(str(pre), str(out/'int8.onnx'), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)   # U8S8: x86's fast int8 path
    return out/'int8.onnx'

def main():
    import numpy as np, torch, onnxruntime as ort
    from cifake_fastai.core import list_images
    from cifake_fastai.cache import scan_images
    from cifake_fastai.audit import overlap_table, overlap_rows
    from cifake_fastai.evaluate import calibration_error
    from cifake_fastai.inference import predict_images, load_detector, detector_threshold, verdicts, onnx_session
    root = cifake_root()
    files = [root/'test'/f for f in list_images(root/'test')]
    learn = load_detector()
    vocab, thr = list(learn.dls.vocab), detector_threshold(learn)
    print(f'data: {root.name}/test, {len(files)} files; torch {torch.__version__}, {torch.get_num_threads()} threads, onnxruntime '
          f'{ort.__version__}; model {learn.model.name}, threshold {thr:.4f}', flush=True)
    stock = lambda fs: learn.get_preds(dl=learn.dls.test_dl(fs, bs=256))[0].numpy()
    ours = lambda engine: (lambda fs: predict_images(learn, fs, bs=256, engine=engine))
    for f in (stock, ours('torch'), ours('onnx')): f(files[:1000])              # warm-up
    ps, t_stock = timed(stock, files)
    pt, t_torch = timed(ours('torch'), files)
    po, t_onnx = timed(ours('onnx'), files)
    ifake = vocab.index('FAKE')
    stock_verdicts = list(verdicts(ps[:, ifake], thr))
    same = po.path.tolist() == [str(f) for f in files] and po.prediction.tolist() == stock_verdicts and pt.prediction.tolist() == stock_verdicts
    diff = float(np.abs(po.prob_fake.values - ps[:, ifake]).max())
    n = len(files)
    print(f'fastai stock path (test_dl + get_preds):   {t_stock:5.1f} s, {n/t_stock:5.0f} images/s')
    print(f'predict_images, PyTorch:                  {t_torch:5.1f} s, {n/t_torch:5.0f} images/s ({t_stock/t_torch:.1f} x)')
    print(f'predict_images, ONNX Runtime (default):   {t_onnx:5.1f} s, {n/t_onnx:5.0f} images/s ({t_stock/t_onnx:.1f} x)')
    print(f'the same verdicts for all {n} files on the three paths: {same}; largest P(FAKE) difference, ONNX against stock: {diff:.1e}')

    # int8, on the decoded images (the network alone: decoding costs the same for both)
    cache = scan_images(root/'test', 32)
    x, y = np.ascontiguousarray(cache.x), np.array([l == 'FAKE' for l in cache.labels])
    clean = overlap_rows(overlap_table(root/'test'), cache.paths).clean.values
    fp32 = onnx_session(learn)
    with tempfile.TemporaryDirectory() as d:
        q = ort.InferenceSession(str(int8_copy(learn, Path(d))), providers=['CPUExecutionProvider'])
        run = lambda s: np.concatenate([s.run(None, {'images': x[i:i+256]})[0] for i in range(0, len(x), 256)])
        run(fp32); run(q)                                                       # warm-up
        p32, t32 = timed(run, fp32)
        p8, t8 = timed(run, q)
    res = {}
    for name, p in (('fp32', p32), ('int8', p8)):
        pf = p[:, ifake]; right = (pf >= thr) == y
        res[name] = dict(acc=100*right.mean(), acc_clean=100*right[clean].mean(), ece=calibration_error(y, pf))
        print(f'{name}: {n/(t32 if name == "fp32" else t8):6.0f} images/s on decoded images; test accuracy at the threshold '
              f'{res[name]["acc"]:.2f} % (clean {res[name]["acc_clean"]:.2f} %), ECE {res[name]["ece"]:.4f}')
    agree = 100*float(((p32[:, ifake] >= thr) == (p8[:, ifake] >= thr)).mean())
    d_acc, d_ece = res['int8']['acc'] - res['fp32']['acc'], res['int8']['ece'] - res['fp32']['ece']
    print(f'int8 against fp32: {t32/t8:.2f} x the speed, {d_acc:+.2f} points of accuracy ({res["int8"]["acc_clean"] - res["fp32"]["acc_clean"]:+.2f} clean), '
          f'ECE {d_ece:+.4f}, {agree:.2f} % of verdicts equal. The default stays fp32 unless int8 keeps accuracy within 0.1 point and ECE within 0.005.')
    print(f'RESULT predict_ratio={t_stock/t_onnx:.1f} images_per_s={n/t_onnx:.0f} same_predictions={str(same).lower()} '
          f'torch_ratio={t_stock/t_torch:.1f} max_prob_diff={diff:.1e} int8_ratio={t32/t8:.2f} int8_acc_delta={d_acc:+.2f} int8_ece_delta={d_ece:+.4f}')

if __name__ == '__main__':
    with recorded('predict_throughput'): main()
