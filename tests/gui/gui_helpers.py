"""Helpers shared by the GUI tests (importable; conftest is not)."""

from __future__ import annotations


def sign_in_as(window, name: str, pin: str | None = None) -> None:  # noqa: ANN001
    """Drive the sign-in page like a person would."""
    page = window.pages["signin"]
    window.show_page("signin")
    if page.operator_box.findText(name) < 0:
        page.refresh()
    page.operator_box.setCurrentText(name)
    if pin:
        page.pin_edit.setText(pin)
    page.sign_in_button.click()
    assert window.state.actor is not None and window.state.actor.name == name
