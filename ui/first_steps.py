"""What a new project lacks before a page can do its job, said as the next step to take.

A brand-new project has no images, labels or model. The pages ask here instead of letting
a button fail with an error dialog for what is a normal state on the first day.
"""

from __future__ import annotations

from typing import Any

from inspector.errors import UserError
from inspector.services import models, training

# (note text, [(button text, page key)]); None when nothing is missing.
Step = tuple[str, list[tuple[str, str]]]


def model_step(project: Any, product: str | None) -> Step | None:
    """Why nothing can be inspected yet (no active model) and where to fix it."""
    try:
        versions = models.list_models(project, product)
        if any(m.active for m in versions):
            return None
        summary = training.training_summary(project, product)
        good = summary.good
    except UserError:  # e.g. the chosen product was removed: inspection says why
        return None
    if versions:
        return (
            "No active model: choose a version under Model versions on Train and press Activate.",
            [("Open Train", "train")],
        )
    if good < 2 and summary.without_product:
        return (f"No model yet. {training.stranded_text(summary.without_product, product)}",
                [("Open Capture", "capture")])
    if good < training.MIN_GOOD_IMAGES:
        return (
            f"No model yet: label good images on Label ({good} so far; 2 let you train, "
            f"{training.MIN_GOOD_IMAGES} or more make a model worth trusting), then train on "
            "Train.",
            [("Open Label", "label"), ("Open Train", "train")],
        )
    return (
        f"No model yet: {good} good images are labelled; train one on Train.",
        [("Open Train", "train")],
    )


def labels_step(summary: training.TrainingSummary) -> Step | None:
    """Why training cannot start yet (too few good images) and where to fix it."""
    if summary.can_train:
        return None
    if summary.without_product:  # the likeliest reason why a product shows no images
        return (training.stranded_text(summary.without_product, summary.product),
                [("Open Capture", "capture")])
    if summary.good + summary.defective + summary.unlabelled == 0:
        return (
            "No images yet: import photos of parts on Capture, mark "
            f"{training.MIN_GOOD_IMAGES} or more of them Good on Label, then train here.",
            [("Open Capture", "capture"), ("Open Label", "label")],
        )
    return (
        f"Training needs good images: mark at least 2 Good on Label ({summary.good} so far; "
        f"{training.MIN_GOOD_IMAGES} or more make a model worth trusting).",
        [("Open Label", "label")],
    )
