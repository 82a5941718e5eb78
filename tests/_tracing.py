"""The peak of Python-traced memory (numpy's buffers included) during one call."""

import tracemalloc


def traced_peak(call, *args, **kwargs):
    """Peak bytes traced by ``tracemalloc`` while ``call(*args, **kwargs)`` runs."""
    tracemalloc.start()
    try:
        call(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
