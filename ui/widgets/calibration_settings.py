"""How cautious the next training's threshold is: the project's false-reject targets.

QA leads trade false rejects against escapes here; the values are project settings
(``target_false_reject_rate``, ``uncertain_false_reject_rate``) that training reads, so
the CLI and every station share them. Operators see them read-only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QWidget

from inspector.errors import UserError
from inspector.store.roles import EDIT_SETTINGS
from ui.state import AppState

TARGET = "target_false_reject_rate"
BAND = "uncertain_false_reject_rate"


def _percent_box(minimum: float, special: str | None = None) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(minimum, 40.0)
    box.setDecimals(2)  # 1.25 % set from the CLI must show as it is
    box.setSingleStep(0.5)
    box.setSuffix(" %")
    if special:
        box.setSpecialValueText(special)  # shown at the minimum (0): no band
    return box


class CalibrationSettings(QWidget):
    """'Reject about [1.0 %] of good parts; uncertain band down to [off]'."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.target = _percent_box(0.1)
        self.target.setToolTip("Share of good parts the next model's threshold may reject. "
                               "Higher: fewer missed defects, more false rejects.")
        self.band = _percent_box(0.0, "off")
        self.band.setToolTip("Parts scoring between this false-reject level and the "
                             "threshold are marked 'uncertain' for a person to check.")
        grid = QGridLayout(self)  # two short rows: the Train page fits a 1024 px screen
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Reject about"), 0, 0)
        grid.addWidget(self.target, 0, 1)
        grid.addWidget(QLabel("of good parts"), 0, 2)
        grid.addWidget(QLabel("Uncertain band"), 1, 0)
        grid.addWidget(self.band, 1, 1)
        grid.setColumnStretch(3, 1)
        self.reload()
        self.target.editingFinished.connect(self._save_target)
        self.band.editingFinished.connect(self._save_band)

    def reload(self) -> None:
        """Show the stored values; only users who may change settings can edit them."""
        project = self.state.project
        for box, value in ((self.target, project.get_setting(TARGET)),
                           (self.band, project.get_setting(BAND))):
            box.blockSignals(True)
            box.setValue(100.0 * float(value or 0.0))
            box.blockSignals(False)
        editable = self.state.may(EDIT_SETTINGS)
        for box in (self.target, self.band):
            box.setEnabled(editable)

    def _save_target(self) -> None:
        self._save(TARGET, self.target.value() / 100.0)

    def _save_band(self) -> None:
        value = self.band.value()
        self._save(BAND, None if value == 0 else value / 100.0)

    def _save(self, key: str, value: float | None) -> None:
        """Only a value the user changed is stored, rounded as shown (focus leaving a box
        used to rewrite a CLI-set 1.25 % as 0.013000000000000001, and 0.04 % as off)."""
        stored = self.state.project.get_setting(key)
        shown = None if stored is None else round(100.0 * float(stored), 2)
        if value is not None:
            value = round(value, 6)  # 0.7 % is stored as 0.007, not 0.006999999999999999
        if (None if value is None else round(100.0 * value, 2)) == shown and (
                key not in self.state.project.setting_problems()):  # an older version's
            return  # refused "2%" reads as the default: typing the default stores it
        try:
            self.state.project.set_setting(self.state.actor, key, value)
            self.state.say(f"Next training: {key.replace('_', ' ')} = "
                           f"{'off' if value is None else f'{value:.1%}'}")
        except UserError as exc:
            self.state.say(str(exc))
            self.reload()
