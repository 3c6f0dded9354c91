#!/usr/bin/env python
"""The default engine gives the same P(FAKE) on every x86 CPU: the shipped detector's int8 copy on this CPU and on older
ones emulated by QEMU (user mode, `qemu-x86_64 -cpu MODEL`: AVX2 without VNNI, SSE4.2 without AVX), against the copy
shipped before (commit 71fef5f's), whose 8-bit weights could saturate the 16-bit sums of CPUs without VNNI; and OpenVINO
(`engine='openvino'`, when installed) on the same int8 file, which picks its kernels by the CPU too.

ONNX Runtime multiplies uint8 activations by int8 weights with `vpmaddubsw` on x86 CPUs without VNNI: it adds two
products into a saturating int16, and 2 x 255 x 127 = 64,770 does not fit. With 7-bit weights (`reduce_range=True` in
`export_int8`) two products stay under 2 x 255 x 64 = 32,640, so every kernel computes the same sums. Measured on the 1,200
bundled test images (the small and the larger sample), decoded here once and handed to each run as arrays.

Needs QEMU's user-mode emulator: `apt-get install qemu-user` (not a dependency of the package; this script only).

    python benchmarks/int8_cpus.py

Last line: RESULT cpus=<emulated CPU models> max_diff=<largest |P(FAKE) difference| from this CPU's, shipped copy> verdicts_changed=<at the
           detector's threshold, over all emulated CPUs> before_max_diff=<the same for the copy shipped before> before_verdicts_changed=<...>
           distinct=<distinct P(FAKE) values on this CPU, shipped copy> n=<images> [openvino_max_diff=<the same for OpenVINO on the shipped
           copy> openvino_verdicts_changed=<...>, when OpenVINO is installed]
"""
import argparse, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

CPUS = ('Haswell-noTSX', 'Nehalem')          # AVX2 without VNNI (the saturating kernel); SSE4.2 only
BEFORE = '71fef5f'                          # the last commit with the copy quantised with 8-bit weights and a quantised output

def worker(model:str, x:str, out:str, engine:str='onnxruntime'):
    "Run in the emulator: P(FAKE) of the arrays in `x` through `model` on `engine` ('onnxruntime' or 'openvino'), saved to `out`."
    if engine == 'openvino':
        import openvino as ov
        cm = ov.Core().compile_model(model, 'CPU', {'PERFORMANCE_HINT': 'LATENCY'})     # as engine='openvino' compiled it when the committed
        # output was measured; it now compiles one stream per core (detector.parallel_runs): not measured under emulation
        run = lambda b: cm(b)[cm.outputs[0]]
    else:
        import onnxruntime as ort
        o = ort.SessionOptions(); o.log_severity_level = 3
        s = ort.InferenceSession(model, o, providers=['CPUExecutionProvider'])
        run = lambda b: s.run(None, {'images': b})[0]
    a = np.load(x)
    np.save(out, np.concatenate([run(a[i:i+256])[:, 0] for i in range(0, len(a), 256)]))

def run(model:Path, x:Path, cpu:str|None, d:Path, engine:str='onnxruntime')->np.ndarray:
    out = d/f'{model.stem}-{engine}-{cpu or "native"}.npy'
    cmd = ([shutil.which('qemu-x86_64'), '-cpu', cpu] if cpu else []) + [sys.executable, __file__, '--worker', str(model), str(x), str(out), engine]
    t = time.perf_counter()
    r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    err = '\n'.join(l for l in r.stderr.splitlines() if not l.startswith('qemu-x86_64: warning'))   # QEMU warns of CPUID bits it does not emulate
    if err: print(err, file=sys.stderr)
    r.check_returncode()
    print(f"  {model.name} ({engine}) on {cpu or 'this CPU'}: {time.perf_counter() - t:.0f} s", flush=True)
    return np.load(out)

def main():
    from cifake_fastai.core import sample_path
    from cifake_fastai.decode import decode_rgb
    from cifake_fastai.detector import shipped_detector, load_detector
    if shutil.which('qemu-x86_64') is None: sys.exit('needs qemu-user: apt-get install qemu-user')
    files = sorted((sample_path()/'test').rglob('*.jpg')) + sorted((sample_path(large=True)/'test').rglob('*.jpg'))
    det = load_detector(); thr = det.threshold
    flags = Path('/proc/cpuinfo').read_text().split('flags', 1)[1].split('\n', 1)[0].split()
    print(f"{len(files)} test images; this CPU: {'AVX-512 VNNI' if 'avx512_vnni' in flags else 'AVX VNNI' if 'avx_vnni' in flags else 'no VNNI'}"
          f"; emulated: {', '.join(CPUS)}; the detector's threshold {thr:.4f}")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        x = d/'x.npy'; np.save(x, np.stack([decode_rgb(f, 32)[0] for f in files]))
        now = shipped_detector()/'model.int8.onnx'
        before = d/'before.int8.onnx'
        before.write_bytes(subprocess.run(['git', 'show', f'{BEFORE}:cifake_fastai/detector/model.int8.onnx'], capture_output=True, check=True,
                                          cwd=Path(__file__).parents[1]).stdout)
        import importlib.util
        res, ov = {}, importlib.util.find_spec('openvino') is not None
        for name, m, engine in (('shipped', now, 'onnxruntime'), ('before', before, 'onnxruntime'), *([('openvino', now, 'openvino')] if ov else [])):
            base = run(m, x, None, d, engine)
            diffs = {cpu: run(m, x, cpu, d, engine) - base for cpu in CPUS}
            said = lambda p: det.verdicts(p, unsure=False)                    # P(FAKE) -> verdicts by the detector's rule, at its threshold
            changed = sum(int((said(base + df) != said(base)).sum()) for df in diffs.values())
            for cpu, df in diffs.items():
                print(f"{name} copy ({m.name}{', OpenVINO' if engine == 'openvino' else ''}), {cpu} against this CPU: largest |P(FAKE) difference| {np.abs(df).max():.2e}, mean {np.abs(df).mean():.2e}, "
                      f"verdicts changed {int((said(base + df) != said(base)).sum())}")
            res[name] = (max(float(np.abs(df).max()) for df in diffs.values()), changed, len(np.unique(base)))
            if engine == 'openvino':
                ort_base = np.load(d/f'{m.stem}-onnxruntime-native.npy')      # the shipped copy's run on this CPU, above
                print(f"OpenVINO against ONNX Runtime on this CPU, the same file: largest |P(FAKE) difference| {np.abs(base - ort_base).max():.2e}, "
                      f"verdicts changed {int((said(base) != said(ort_base)).sum())}")
    print(f"distinct P(FAKE) values on this CPU: shipped copy {res['shipped'][2]}, the copy before {res['before'][2]} (of {len(files)} images)")
    print(f"RESULT cpus={len(CPUS)} max_diff={res['shipped'][0]:.2g} verdicts_changed={res['shipped'][1]} before_max_diff={res['before'][0]:.2g} "
          f"before_verdicts_changed={res['before'][1]} distinct={res['shipped'][2]} n={len(files)}"
          + (f" openvino_max_diff={res['openvino'][0]:.2g} openvino_verdicts_changed={res['openvino'][1]}" if 'openvino' in res else ''))

if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--worker': worker(*sys.argv[2:6]); sys.exit()
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--name', default='int8_cpus')
    a = p.parse_args()
    from provenance import recorded
    with recorded(a.name): main()
