#!/usr/bin/env python
"""Prediction throughput of the shipped detector on the 20,000 CIFAKE test JPEGs: fastai's stock path against
`predict_images` on each engine, the int8 copy's accuracy and calibration against the float copy's, and OpenVINO (when
installed) on the same ONNX files.

- stock: `det.learn.get_preds(dl=det.learn.dls.test_dl(files, bs=256))`, verdicts at the detector's threshold;
- `predict_images(det, files, engine=...)`: each file decoded once, then 'torch' (the learner's batch transforms, a
  BatchNorm-folded copy of the network, on all cores, the next batch decoding in a thread), 'onnx' (ONNX Runtime on the
  float ONNX copy, normalisation and temperature inside), or 'auto', the default: the int8 copy (`model.int8.onnx`, static
  QDQ quantisation calibrated on 512 validation images and kept because the other 4,478 found it within
  `INT8_TOLERANCE`). ONNX Runtime and OpenVINO run one batch per core at once, each decoded and run by its own thread.
- int8 against fp32 on the decoded images (the network alone, one batch per core as `predict_images` runs it): speed,
  test accuracy at the threshold (all and clean test images), expected calibration error, the share of equal verdicts;
  and the int8 network run one batch at a time on all cores (ONNX Runtime's default threads), the way it ran before.
- OpenVINO (`engine='openvino'`, the optional extra `cifake_fastai[openvino]`, when installed): the same two ONNX files
  compiled for the CPU (one stream per core; fp32, bf16 where the CPU has it, and the int8 graph) on the decoded images, with
  test accuracy and ECE, and `predict_images(engine='openvino')` end to end.

Every path runs once on 1,000 files first (warm file cache, lazy initialisation), then on all files in five rounds of
every path in turn; each path's fastest round counts, the stock path's as the others' (on a shared 2-core machine one
run of a path varied by up to a third: rounds spread a slow spell over all paths).

    python benchmarks/predict_throughput.py          # data from $CIFAKE_PATH, else unpacked from ../shared/data/cifake
    python benchmarks/predict_throughput.py --model DETECTOR_FOLDER --name predict_throughput_NAME

Last line: RESULT predict_ratio=<default engine/stock> images_per_s=<default engine> same_predictions=<float ONNX and
           PyTorch give stock's verdicts: true|false> fp32_ratio=<float ONNX/stock> torch_ratio=<torch/stock>
           max_prob_diff=<float ONNX vs stock> int8_ratio=<int8/fp32, network alone> int8_acc_delta=<points>
           int8_ece_delta=<x> int8_agree=<% equal verdicts> network_ratio=<the int8 network alone on decoded images/stock:
           the default engine's ceiling> [openvino_ratio=<engine='openvino'/stock>
           openvino_acc_delta=<points against fp32> openvino_ece_delta=<x> openvino_agree=<% of the default engine's
           verdicts>, when OpenVINO is installed]
"""
import time
from provenance import cifake_root, recorded        # benchmarks/provenance.py: output also to benchmarks/results/

ROUNDS = 5

def timed(f, *args, repeat:int=1, **kwargs):
    "`f(*args, **kwargs)` and the fewest seconds it took in `repeat` runs."
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); r = f(*args, **kwargs); ts.append(time.perf_counter() - t)
    return r, min(ts)

def batches_in_parallel(run, x, bs:int=256):
    "`run` over `x` in batches of `bs`, one batch per core at once (as `predict_images` runs ONNX Runtime and OpenVINO); outputs in order."
    import numpy as np
    from concurrent.futures import ThreadPoolExecutor
    from cifake_fastai.detector import parallel_runs
    with ThreadPoolExecutor(parallel_runs()) as pool: return np.concatenate(list(pool.map(run, [x[i:i+bs] for i in range(0, len(x), bs)])))

def openvino_rows(det, x, y, clean, files:list, t_stock:float, t32:float, q32:dict, thr:float, ifake:int, default:list, e2e:tuple)->dict:
    "OpenVINO on the detector's ONNX files: each precision on the decoded images, the int8 graph's accuracy and calibration, and `predict_images(engine='openvino')` end to end."
    try: import openvino as ov
    except ImportError: print('OpenVINO: not installed (pip install "cifake_fastai[openvino]" to measure it)'); return {}
    import threading, numpy as np
    from cifake_fastai.detector import calibration_error, parallel_runs
    core, n = ov.Core(), len(files)
    bf16 = 'BF16' in core.get_property('CPU', 'OPTIMIZATION_CAPABILITIES')
    for name, f, hint in (('fp32', det.onnx_copy(), 'f32'), ('bf16', det.onnx_copy(), 'bf16'), ('int8', det.onnx_copy(int8=True), 'f32')):
        if hint == 'bf16' and not bf16: print('OpenVINO bf16: this CPU has no bf16 path'); continue
        nc = str(parallel_runs())                      # as `predict_images` compiles it: one stream per core, one thread each
        cm = core.compile_model(str(f), 'CPU', {'NUM_STREAMS': nc, 'INFERENCE_NUM_THREADS': nc, 'INFERENCE_PRECISION_HINT': hint})
        local = threading.local()
        def one(b, cm=cm, local=local):
            if not hasattr(local, 'r'): local.r = cm.create_infer_request()
            return local.r.infer({0: b})[0]
        run = lambda: batches_in_parallel(one, x)
        run(); p, t = timed(run, repeat=3)
        pf = p[:, ifake]; right = (det.verdicts(p, unsure=False) == 'FAKE') == y
        acc, acc_clean, ece = 100*right.mean(), 100*right[clean].mean(), calibration_error(y, pf)
        print(f'OpenVINO {ov.__version__.split("-")[0]} {name}: {n/t:6.0f} images/s on decoded images ({t32/t:.2f} x ONNX Runtime fp32); '
              f'test accuracy {acc:.2f} % (clean {acc_clean:.2f} %), ECE {ece:.4f}')
        if name == 'int8': d_acc, d_ece = acc - q32['acc'], ece - q32['ece']
    po, t = e2e                                     # predict_images(engine='openvino'), timed in main's rounds
    agree = 100*float((po.prediction.values == np.array(default)).mean())
    print(f"predict_images(engine='openvino'), the int8 copy: {t:5.1f} s, {n/t:5.0f} images/s ({t_stock/t:.1f} x the stock path); "
          f'against the float copy {d_acc:+.2f} points of accuracy, ECE {d_ece:+.4f}; {agree:.2f} % of the default engine\'s verdicts '
          '(the same int8 file, ONNX Runtime\'s kernels against OpenVINO\'s)')
    return dict(openvino_ratio=f'{t_stock/t:.1f}', openvino_acc_delta=f'{d_acc:+.2f}', openvino_ece_delta=f'{d_ece:+.4f}', openvino_agree=f'{agree:.2f}')

def main(model=None):
    import importlib.util, numpy as np, torch, onnxruntime as ort
    from cifake_fastai.core import list_images
    from cifake_fastai.cache import scan_images
    from cifake_fastai.audit import overlap_table, overlap_rows
    from cifake_fastai.inference import predict_images
    from cifake_fastai.detector import load_detector, onnx_session, calibration_error
    root = cifake_root()
    files = [root/'test'/f for f in list_images(root/'test')]
    det = load_detector(model)
    vocab, thr = det.vocab, det.threshold
    print(f'data: {root.name}/test, {len(files)} files; torch {torch.__version__}, {torch.get_num_threads()} threads, onnxruntime '
          f'{ort.__version__}; model {det.name}, threshold {thr:.4f}; int8 copy: {det.config["int8"]}', flush=True)
    stock = lambda fs: det.learn.get_preds(dl=det.learn.dls.test_dl(fs, bs=256))[0].numpy()
    ours = lambda engine: (lambda fs: predict_images(det, fs, bs=256, engine=engine, unsure=False))
    paths = {'torch': ours('torch'), 'onnx': ours('onnx'), 'auto': ours('auto')}
    if importlib.util.find_spec('openvino'): paths['openvino'] = ours('openvino')
    for f in (stock, *paths.values()): f(files[:1000])                          # warm-up
    res, ts = {}, {k: [] for k in ('stock', *paths)}
    for _ in range(ROUNDS):                         # rounds of every path in turn: a slow spell of the machine slows them all
        for k, f in (('stock', stock), *paths.items()): res[k], t = timed(f, files); ts[k].append(t)
    ps, t_stock = res.pop('stock'), min(ts['stock'])
    res = {k: (r, min(ts[k])) for k, r in res.items()}
    ifake = vocab.index('FAKE')
    stock_verdicts = list(det.verdicts(ps, unsure=False))
    same = all(res[k][0].path.tolist() == [str(f) for f in files] and res[k][0].prediction.tolist() == stock_verdicts for k in ('onnx', 'torch'))
    diff = float(np.abs(res['onnx'][0].prob_fake.values - ps[:, ifake]).max())
    n, t = len(files), {k: v[1] for k, v in res.items()}
    print(f'fastai stock path (test_dl + get_preds):   {t_stock:5.1f} s, {n/t_stock:5.0f} images/s')
    for k, name in (('torch', 'PyTorch'), ('onnx', 'ONNX Runtime, float copy'), ('auto', 'ONNX Runtime, int8 copy (default)')):
        print(f'predict_images, {name + ":":34s} {t[k]:5.1f} s, {n/t[k]:5.0f} images/s ({t_stock/t[k]:.1f} x)')
    agree_auto = 100*float((res['auto'][0].prediction.values == np.array(stock_verdicts)).mean())
    print(f'stock verdicts for all {n} files from PyTorch and the float ONNX copy: {same}; largest P(FAKE) difference, float ONNX '
          f'against stock: {diff:.1e}; the int8 copy gives {agree_auto:.2f} % of them')

    # int8 against fp32, on the decoded images (the network alone: decoding costs the same for both)
    cache = scan_images(root/'test', 32)
    x, y = np.ascontiguousarray(cache.x), np.array([l == 'FAKE' for l in cache.labels])
    clean = overlap_rows(overlap_table(root/'test'), cache.paths).clean.values
    sess = {'fp32': onnx_session(det), 'int8': onnx_session(det, int8=True)}
    run = lambda s: batches_in_parallel(lambda b: s.run(None, {'images': b})[0], x)
    for s in sess.values(): run(s)                                                # warm-up
    out = {k: timed(run, s, repeat=3) for k, s in sess.items()}
    q = {}
    for name, (p, tt) in out.items():
        pf = p[:, ifake]; right = (det.verdicts(p, unsure=False) == 'FAKE') == y
        q[name] = dict(acc=100*right.mean(), acc_clean=100*right[clean].mean(), ece=calibration_error(y, pf))
        print(f'{name}: {n/tt:6.0f} images/s on decoded images; test accuracy at the threshold {q[name]["acc"]:.2f} % '
              f'(clean {q[name]["acc_clean"]:.2f} %), ECE {q[name]["ece"]:.4f}')
    (p32, t32), (p8, t8) = out['fp32'], out['int8']
    agree = 100*float((det.verdicts(p32, unsure=False) == det.verdicts(p8, unsure=False)).mean())
    d_acc, d_ece = q['int8']['acc'] - q['fp32']['acc'], q['int8']['ece'] - q['fp32']['ece']
    print(f'int8 against fp32: {t32/t8:.2f} x the speed, {d_acc:+.2f} points of accuracy ({q["int8"]["acc_clean"] - q["fp32"]["acc_clean"]:+.2f} clean), '
          f'ECE {d_ece:+.4f}, {agree:.2f} % of verdicts equal (the default: within 0.1 point and 0.005 of ECE)')
    from cifake_fastai.decode import decode_rgb
    _, t_dec = timed(lambda: [decode_rgb(f, 32) for f in files], repeat=3)
    o = ort.SessionOptions(); o.log_severity_level = 3                           # ONNX Runtime's defaults: all cores, threads spin between runs
    allc = ort.InferenceSession(str(det.onnx_copy(int8=True)), o, providers=['CPUExecutionProvider'])
    one_at_a_time = lambda: np.concatenate([allc.run(None, {'images': x[i:i+256]})[0] for i in range(0, len(x), 256)])
    one_at_a_time(); _, t_all = timed(one_at_a_time, repeat=3)
    t_net = min(t8, t_all)                                                        # the network alone, the faster of the two ways
    print(f'decoding alone, on one thread: {n/t_dec:5.0f} images/s; the int8 network alone on images already decoded: {n/t8:5.0f} '
          f'images/s one batch per core ({t_stock/t8:.1f} x the stock path), {n/t_all:5.0f} one batch at a time on all cores with '
          f'ONNX Runtime\'s default threads ({t_stock/t_all:.1f} x); the faster, {t_stock/t_net:.1f} x, is the most the default engine '
          'can reach here whatever runs around it')
    ovr = openvino_rows(det, x, y, clean, files, t_stock, t32, q['fp32'], thr, ifake, res['auto'][0].prediction.tolist(), res.get('openvino'))
    print(f'RESULT predict_ratio={t_stock/t["auto"]:.1f} images_per_s={n/t["auto"]:.0f} same_predictions={str(same).lower()} '
          f'fp32_ratio={t_stock/t["onnx"]:.1f} torch_ratio={t_stock/t["torch"]:.1f} max_prob_diff={diff:.1e} int8_ratio={t32/t8:.2f} '
          f'int8_acc_delta={d_acc:+.2f} int8_ece_delta={d_ece:+.4f} int8_agree={agree:.2f} network_ratio={t_stock/t_net:.1f} ' + ' '.join(f'{k}={v}' for k, v in ovr.items()))

if __name__ == '__main__':
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default=None, help='detector folder (default: the shipped one)')
    p.add_argument('--name', default='predict_throughput', help='results file name')
    a = p.parse_args()
    with recorded(a.name): main(a.model)
