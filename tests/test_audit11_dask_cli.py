"""Dask inputs and the command line's ``--scheduler`` at the edges an outside audit found
(session 25): a ``.loc`` slice of a dask dataframe refused as empty; a port that accepts and
says nothing held ``--scheduler`` with no limit; an ``inproc://`` address of no scheduler and
a TLS address without a security configuration left a half-made Client that blocked the exit;
SIGTERM while reaching the scheduler was reported as an unreachable scheduler, exit code 2."""

import socket
import subprocess
import sys
import threading
import time

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

import skxai._cli as cli
from skxai import KernelShapExplainer
from skxai._cli import Terminated, UsageError, main


def test_a_loc_slice_of_a_dask_dataframe_is_explained():
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    model = LinearRegression().fit(df, df.a + 2 * df.b)
    ex = KernelShapExplainer(model, n_samples=16, random_state=0).fit(df)
    d = dd.from_pandas(df, npartitions=4)
    with dask.config.set(scheduler="sync"):
        for sub in (d.loc[30:], d.loc[12:25], d.loc[5:8]):
            lazy = ex.transform(sub)
            np.testing.assert_array_equal(np.asarray(lazy.compute()), ex.transform(sub.compute()))


@pytest.fixture
def silent_port():
    """A port that accepts connections and never says anything."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    held, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except (TimeoutError, OSError):
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def test_a_port_that_never_answers_is_given_up_on_in_time(silent_port, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(cli, "_SCHEDULER_TIMEOUT", 1)
    start = time.monotonic()
    with pytest.raises(UsageError, match="no scheduler answered there within 3 s"):
        cli._connect(f"tcp://127.0.0.1:{silent_port}")
    assert time.monotonic() - start < 8


@pytest.mark.parametrize(
    "address, message",
    [("inproc://x", "cannot reach"), ("inproc://192.0.2.2/1/1", "does not match"), ("tls://127.0.0.1:1", "TLS")],
)
def test_addresses_no_client_can_use_are_refused_at_once(address, message):
    """Refused in the call, and the process then ends at once: a half-made Client blocked the
    exit for 20 s and printed a traceback as it was collected (seen in a process of its own)."""
    pytest.importorskip("distributed")
    code = (
        "import skxai._cli as c\n"
        "try:\n"
        f"    c._connect({address!r})\n"
        "except c.UsageError as e:\n"
        "    print(e)\n"
    )
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert time.monotonic() - start < 8, run.stderr[-2000:]
    assert message in run.stdout, (run.stdout, run.stderr[-2000:])
    assert "Exception ignored" not in run.stderr and "Traceback" not in run.stderr, run.stderr[-2000:]


def test_sigterm_while_reaching_the_scheduler_is_reported_as_sigterm(tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(6, 3)), columns=["a", "b", "c"])
    joblib.dump(LinearRegression().fit(X, X.a), tmp_path / "lin.joblib")
    X.to_csv(tmp_path / "data.csv", index=False)

    import distributed
    import distributed.comm

    def terminated(*args, **kwargs):
        raise Terminated()

    async def terminated_connect(*args, **kwargs):
        raise Terminated()

    # SIGTERM arrives while the scheduler is reached (its handshake, or the Client)
    monkeypatch.setattr(distributed.comm, "connect", terminated_connect)
    monkeypatch.setattr(distributed, "Client", terminated)
    argv = [
        "explain",
        tmp_path / "lin.joblib",
        tmp_path / "data.csv",
        "--out",
        tmp_path / "o.csv",
        "--method",
        "exact-shap",
        "--quiet",
        "--trust-pickle",
        "--scheduler",
        "tcp://127.0.0.1:1",
    ]
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 143, err
    assert "terminated (SIGTERM)" in err and "cannot reach" not in err
    assert not issubclass(Terminated, Exception)


def test_the_probe_takes_dasks_tls_settings(monkeypatch):
    """A tls:// scheduler the Client reaches through Dask's configuration was refused by the
    probe, which connected without it (a review of this session's change)."""
    pytest.importorskip("distributed")
    import distributed.comm
    import distributed.security

    seen = {}

    async def fake_connect(address, timeout=None, **kwargs):
        seen.update(kwargs)

        class Comm:
            async def close(self):
                pass

        return Comm()

    monkeypatch.setattr(distributed.comm, "connect", fake_connect)
    monkeypatch.setattr(
        distributed.security.Security, "get_connection_args", lambda self, role: {"ssl_context": "from config"}
    )
    cli._probe_scheduler("tls://127.0.0.1:1")
    assert seen == {"ssl_context": "from config"}


def test_a_closed_port_reports_the_refusal_not_a_silent_scheduler(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(cli, "_SCHEDULER_TIMEOUT", 1)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    for _ in range(3):
        with pytest.raises(UsageError) as info:
            cli._connect(f"tcp://127.0.0.1:{port}")
        assert "OSError" in str(info.value) and "dashboard" not in str(info.value)
