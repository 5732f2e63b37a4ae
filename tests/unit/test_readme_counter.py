"""Issue 12 item 13: the README names the X libraries `make run` needs on a real display, points
at nothing outside the repository, and says how to lock, sign out, quit and reset the demo
register, with the keys the app really uses."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_xcb_libraries_for_a_real_display_are_listed() -> None:
    for package in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1"):
        assert package in README


def test_no_pointer_outside_the_repository() -> None:
    assert "../" not in README and "/work/" not in README
    for target in re.findall(r"\]\(([^)#]+)\)", README):  # markdown links
        assert target.startswith(("http://", "https://")) or (ROOT / target).exists(), target
    for path in re.findall(r"`((?:docs|tools|benchmarks|resources|schemas)/[^`\s*]+)`", README):
        assert (ROOT / path).exists(), path


def test_lock_sign_out_quit_and_reset_are_explained_with_the_real_keys() -> None:
    access_menu = (ROOT / "app/ui/shell/access_menu.py").read_text(encoding="utf-8")
    # the main window's 業務 menu (with 終了) is built in window_menus.py
    main_window = (ROOT / "app/ui/shell/window_menus.py").read_text(encoding="utf-8")
    assert 'QKeySequence("Ctrl+L")' in access_menu and "**Ctrl+L**" in README
    assert 'QKeySequence("Ctrl+Shift+L")' in access_menu and "**Ctrl+Shift+L**" in README
    assert 'QKeySequence("Ctrl+Q")' in main_window and "**Ctrl+Q**" in README
    assert "画面をロック" in README and "ログアウト" in README and "**F1**" in README
    demo_command = (ROOT / "app/commands/demo.py").read_text(encoding="utf-8")
    assert '"--reset"' in demo_command and "vaxdesk demo --reset" in README
    assert "E_DEMO_RESET_NOT_DEMO" in README
