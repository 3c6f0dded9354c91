#!/usr/bin/env python
"""The upload page under load: `cifake serve` on 127.0.0.1, driven by N concurrent API clients.

The clients speak Gradio's HTTP API as `curl` would (upload the files, call `/classify`, read the result's event stream,
whose table carries each image as judged and its Grad-CAM overlay inside the HTML), each on its own connection. Not `gradio_client`: on a 2-core
machine its own work (a thread per job, the queue protocol) took 2.4 times the server's CPU time and measured the client.
Each client sends `--requests` requests of `--per_request` images from the larger bundled sample's test folder (every
client its own images, or, once the 1,000 are used, the same images again), one after another, as people pressing Classify would. The run is bounded: a fixed number of
requests, each with a timeout, and the server is stopped at the end whatever happens. Checked on every response: one row
per image, with the verdict `predict_images` gives the same file (the page's rule: UNSURE inside the detector's band), and
one Grad-CAM overlay per image. The server keeps its uploads in a folder of this run's (`GRADIO_TEMP_DIR`): the files left
there are counted at the end of the run and again once the page's `KEEP_S` has passed (a soak: many requests, the memory
at their start and at their end).

    python benchmarks/serve_load.py                  # 8 clients x 6 requests x 4 images
    python benchmarks/serve_load.py --clients 1 --name serve_load_1client
    python benchmarks/serve_load.py --page_batch 1 --name serve_load_batch1     # the page's setting, changed for this run
    python benchmarks/serve_load.py --requests 250 --name serve_soak             # a soak: 2,000 requests, 8,000 images

Last line: RESULT images_per_s=<all images/wall time> p95_s=<95th percentile of a request's time> errors=<failed or
           wrong responses> rss_mb=<the server's peak resident memory> clients=<N> requests=<all requests>
           rss_start_mb=<resident memory after the warm-up> rss_half_mb=<half-way through the run> rss_end_mb=<after the last request> files_end=<files in the
           server's upload folder after the last request> files_after=<the same once KEEP_S seconds have passed>
"""
import argparse, json, os, re, resource, socket, subprocess, sys, tempfile, threading, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import numpy as np
from provenance import recorded        # benchmarks/provenance.py: output also to benchmarks/results/

def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def peak_rss_mb(pid:int)->float:
    "The process's peak resident memory (Linux' VmHWM)."
    return int(re.search(r'VmHWM:\s+(\d+) kB', Path(f'/proc/{pid}/status').read_text()).group(1))/1024

def cpu_s(pid:int)->float:
    "User and system CPU seconds of a process so far (Linux' /proc)."
    f = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12]))/os.sysconf('SC_CLK_TCK')

def wait_up(url:str, proc, log, timeout:float=180):
    t = time.time()
    while time.time() - t < timeout:
        if proc.poll() is not None:
            log.seek(0); sys.exit(f'the server stopped (exit {proc.returncode}) before it answered:\n{log.read()[-2000:]}')
        try: urllib.request.urlopen(url, timeout=2); return time.time() - t
        except OSError: time.sleep(0.5)
    sys.exit(f'the server did not answer in {timeout:.0f} s')

def classify(c, url:str, fs:list)->tuple:
    "(results table HTML, overlays' bytes) of one request through Gradio's HTTP API."
    up = c.post(url + 'gradio_api/upload', files=[('files', (f.name, f.read_bytes(), 'image/jpeg')) for f in fs])
    up.raise_for_status()
    data = [[dict(path=p, orig_name=f.name, meta={'_type': 'gradio.FileData'}) for p, f in zip(up.json(), fs)]]
    ev = c.post(url + 'gradio_api/call/classify', json=dict(data=data)); ev.raise_for_status()
    txt = c.get(url + f"gradio_api/call/classify/{ev.json()['event_id']}").text
    if 'event: complete' not in txt: raise RuntimeError(f'no result: {txt[:200]}')
    html, = json.loads(txt.split('event: complete', 1)[1].split('data:', 1)[1].split('\n', 1)[0])
    return html, re.findall(r'<td class="overlay"><img src="data:image/png;base64,', html)

def rss_mb(pid:int)->float:
    "The process's resident memory now (Linux' VmRSS)."
    return int(re.search(r'VmRSS:\s+(\d+) kB', Path(f'/proc/{pid}/status').read_text()).group(1))/1024

def n_files(d:Path)->int: return sum(len(fs) for _, _, fs in os.walk(d))

def main(clients:int=8, requests:int=6, per_request:int=4, page_batch:int|None=None, timeout:float=60):
    import httpx
    from cifake_fastai.core import sample_path
    from cifake_fastai.detector import load_detector
    from cifake_fastai.inference import predict_images
    files = sorted((sample_path(large=True)/'test').rglob('*.jpg'))
    need = clients*requests*per_request
    rng = np.random.default_rng(0)
    files = [files[i % len(files)] for i in rng.permutation(max(need, len(files)))[:need]] if need <= len(files) else \
            [files[i] for _ in range(-(-need//len(files))) for i in rng.permutation(len(files))][:need]   # beyond 1,000: again
    det = load_detector()
    pr = predict_images(det, sorted(set(files)))     # the page's rule: the band, for a detector that has one
    expected = dict(zip(pr.path.map(lambda p: Path(p).name), pr.prediction))
    port = free_port(); url = f'http://127.0.0.1:{port}/'
    setting = '' if page_batch is None else f'import cifake_fastai.app as a; a.PAGE_BATCH = {page_batch}; '
    log = tempfile.TemporaryFile('w+')                       # the server's output: read back if it stops early, never a full pipe
    cache = Path(tempfile.mkdtemp(prefix='serve_load_'))     # the server's uploads, to count what is left
    proc = subprocess.Popen([sys.executable, '-c', setting + 'from cifake_fastai.cli import main; main()', 'serve', '--port', str(port)],
                            stdout=log, stderr=subprocess.STDOUT, text=True, env=dict(os.environ, GRADIO_TEMP_DIR=str(cache)))
    try:
        import cifake_fastai.app as app
        up = wait_up(url, proc, log)
        examples = n_files(cache)                           # Gradio's copies of the page's example images: kept, by design
        print(f'server up in {up:.0f} s; {clients} clients x {requests} requests x {per_request} images; '
              f'the page serves up to {page_batch or app.PAGE_BATCH} queued requests in one call', flush=True)
        def one(c, fs:list)->tuple:
            t = time.perf_counter()
            try:
                html, cams = classify(c, url, fs)
                got = dict(zip(re.findall(r'<td class="image">([^<]*)</td>', html), re.findall(r'<td class="verdict">([^<]*)</td>', html)))
                ok = len(cams) == len(fs) and got == {f.name: expected[f.name] for f in fs}
                why = None if ok else f'{len(got)} rows, {len(cams)} overlays for {len(fs)} images, verdicts {got}'
            except Exception as e: why = f'{type(e).__name__}: {e}'
            return time.perf_counter() - t, why
        with httpx.Client(timeout=timeout) as c: one(c, files[:per_request])       # warm-up: the first request loads lazily
        rss0 = rss_mb(proc.pid)
        def client(k:int)->list:
            with httpx.Client(timeout=timeout) as c: return [one(c, fs) for fs in mine(k)]
        def mine(k:int)->list:
            mine = files[k*requests*per_request:(k+1)*requests*per_request]
            return [mine[i:i+per_request] for i in range(0, len(mine), per_request)]
        t, s0, c0 = time.perf_counter(), cpu_s(proc.pid), resource.getrusage(resource.RUSAGE_SELF)
        samples, running = [], threading.Event(); running.set()
        def sample():                                       # the server's memory through the run, twice a second
            while running.is_set(): samples.append((time.perf_counter() - t, rss_mb(proc.pid))); time.sleep(0.5)
        sampler = threading.Thread(target=sample, daemon=True); sampler.start()
        with ThreadPoolExecutor(clients) as pool: res = [r for rs in pool.map(client, range(clients)) for r in rs]
        wall, s1, c1 = time.perf_counter() - t, cpu_s(proc.pid), resource.getrusage(resource.RUSAGE_SELF)
        running.clear(); sampler.join()
        at = lambda q: next((m for s_, m in samples if s_ >= q*wall), samples[-1][1] if samples else rss_mb(proc.pid))
        rss, rss1, files_end = peak_rss_mb(proc.pid), rss_mb(proc.pid), n_files(cache) - examples
        time.sleep(1.5*app.KEEP_S)                          # the page deletes uploads once KEEP_S old, checking every KEEP_S/4 s
        files_after = n_files(cache) - examples
    finally:
        proc.terminate()
        try: proc.wait(10)
        except subprocess.TimeoutExpired: proc.kill()
    lat = np.array([s for s, _ in res]); errs = [w for _, w in res if w]
    for w in errs[:5]: print('error:', w)
    print(f'{len(res)} requests, {need} images in {wall:.1f} s; request time p50 {np.percentile(lat, 50):.2f} s, '
          f'p95 {np.percentile(lat, 95):.2f} s, max {lat.max():.2f} s; {len(errs)} failed or wrong; server peak RSS {rss:.0f} MB')
    print(f'CPU time during the run: server {s1 - s0:.1f} s, clients {c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime:.1f} s '
          f'({os.cpu_count()} cores x {wall:.1f} s = {os.cpu_count()*wall:.1f} s)')
    print(f'uploads left in the server\'s folder: {files_end} files after the last request, {files_after} after {1.5*app.KEEP_S:.0f} s more '
          f'(besides the {examples} copies of its example images); resident memory {rss0:.0f} MB after the warm-up, {rss1:.0f} MB after the last request')
    print('resident memory through the run: ' + ', '.join(f'{m:.0f} MB at {100*q:.0f}%' for q, m in [(q, at(q)) for q in (0.25, 0.5, 0.75, 1.0)]))
    print(f'RESULT images_per_s={need/wall:.1f} p95_s={np.percentile(lat, 95):.2f} errors={len(errs)} rss_mb={rss:.0f} clients={clients} '
          f'requests={len(res)} rss_start_mb={rss0:.0f} rss_half_mb={at(0.5):.0f} rss_end_mb={rss1:.0f} files_end={files_end} files_after={files_after}')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--clients', type=int, default=8); p.add_argument('--requests', type=int, default=6)
    p.add_argument('--per_request', type=int, default=4); p.add_argument('--name', default='serve_load')
    p.add_argument('--page_batch', type=int, default=None, help="the page's PAGE_BATCH for this run (default: the library's)")
    a = p.parse_args()
    with recorded(a.name): main(a.clients, a.requests, a.per_request, a.page_batch)
