"""ImageShapleyExplainer's peak memory against the working-memory bound (session 37, issue 16's
bounded memory): 3,000 grey 16x16 images, 16 grid regions, KernelSHAP at 600 coalitions, the
bound lowered to 64 MiB so that chunking shows on a small machine. Prints the images per chunk
the explainer allows, the traced peak of ``transform`` and its time.

    OMP_NUM_THREADS=1 python benchmarks/probe_image_memory.py
"""

import time
import tracemalloc
import warnings

import numpy as np

from skxai import ImageShapleyExplainer
from skxai.utils import _memory


def main(n=3000, bound_mib=64):
    _memory.MAX_WORKING_BYTES = bound_mib * 2**20
    X = np.random.RandomState(1).rand(n, 256)
    est = ImageShapleyExplainer(
        lambda Z: np.asarray(Z).reshape(len(Z), -1).mean(-1, keepdims=True) ** 2,
        method="kernel", n_samples=600, n_segments=16, random_state=0, image_shape=(1, 16, 16), target=0,
    ).fit(X)  # fmt: skip
    print(f"images per chunk: {est._check_memory(16, n)}")
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    tracemalloc.start()
    est.transform(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{n} images: traced peak {peak / 2**20:.0f} MiB against a {bound_mib} MiB bound "
          f"(input and result {2 * X.nbytes / 2**20:.1f} MiB); {time.perf_counter() - t0:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
