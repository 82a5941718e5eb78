"""What a DataFrame per model call costs: a Ridge fitted on a 7-column frame, its predict on
160 rows given as an array and as a frame, and KernelSHAP of 100 rows by an explainer fitted on
the array (the model gets arrays) and on the frame (the model gets frames); min of 5, wall clock.

    OMP_NUM_THREADS=1 python benchmarks/probe_model_input_frames.py
"""

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge

from skxai import KernelShapExplainer


def best(func, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(400, 7)), columns=[f"c{j}" for j in range(7)])
    model = Ridge().fit(df, df.c0 - 2 * df.c1)
    rows = df.to_numpy()[:160]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        array_call = best(lambda: [model.predict(rows) for _ in range(100)]) / 100
    frame_call = best(lambda: [model.predict(df.iloc[:160]) for _ in range(100)]) / 100
    print(f"| predict, 160 rows as an array | {array_call * 1e6:.0f} us |")
    print(f"| predict, 160 rows as a frame | {frame_call * 1e6:.0f} us |")
    on_array = KernelShapExplainer(model, random_state=0).fit(df.to_numpy()[:40])
    on_frame = KernelShapExplainer(model, random_state=0).fit(df.iloc[:40])
    t_array = best(lambda: on_array.explain(df.to_numpy()[:100]))
    t_frame = best(lambda: on_frame.explain(df.iloc[:100]))
    print(f"| KernelSHAP explain of 100 rows, fitted on the array | {t_array:.3f} s |")
    print(f"| KernelSHAP explain of 100 rows, fitted on the frame | {t_frame:.3f} s |")


if __name__ == "__main__":
    main()
