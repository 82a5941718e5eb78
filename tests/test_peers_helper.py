"""The peer helper skips a test only when the peer is missing, never on another error (issue 17)."""

import sys
import types

import pytest

from tests._peers import import_peer


def test_a_missing_peer_skips():
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        import_peer("skxai_no_such_peer_module")


def test_a_peer_that_fails_to_import_is_an_error_not_a_skip(tmp_path, monkeypatch):
    (tmp_path / "skxai_broken_peer.py").write_text("raise RuntimeError('broken peer install')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    # A skip inside pytest.raises would end the test as "skipped", which a run counts as passing.
    with pytest.raises(RuntimeError, match="broken peer install"):
        try:
            import_peer("skxai_broken_peer")
        except pytest.skip.Exception as exc:
            pytest.fail(f"a peer that fails to import was skipped: {exc}")
    sys.modules.pop("skxai_broken_peer", None)


def test_an_installed_peer_is_returned(monkeypatch):
    module = types.ModuleType("skxai_fake_peer")
    monkeypatch.setitem(sys.modules, "skxai_fake_peer", module)
    assert import_peer("skxai_fake_peer") is module
