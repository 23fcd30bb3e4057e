"""Names people type are cleaned one way: whitespace collapsed, control characters refused."""

from __future__ import annotations

import pytest

from inspector.errors import UserError
from inspector.services.labeling import add_defect_type
from inspector.services.operators import add_operator
from inspector.services.products import add_product
from inspector.services.session import sign_in


def test_names_are_cleaned_and_control_characters_refused(project, admin) -> None:  # noqa: ANN001
    assert add_operator(project, admin, "  Jo \n Smith ").name == "Jo Smith"
    assert add_product(project, admin, "Bolt\tM8").name == "Bolt M8"
    assert add_defect_type(project, admin, "deep\nscratch") == "deep scratch"
    for bad in ("Line\x07bell", "zero\u200bwidth"):
        with pytest.raises(UserError, match="control characters"):
            add_operator(project, admin, bad)
        with pytest.raises(UserError, match="control characters"):
            add_product(project, admin, bad)
        with pytest.raises(UserError, match="control characters"):
            add_defect_type(project, admin, bad)
    assert sign_in(project, "admin", station=" Line 2 \n A ").station == "Line 2 A"
    assert sign_in(project, "admin", station="   ").station is None
    with pytest.raises(UserError, match="control characters"):
        sign_in(project, "admin", station="S\x1b[31m1")
