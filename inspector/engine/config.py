"""Engine configuration and the speed presets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from inspector.engine.region import Region
from inspector.engine.severity import SeverityBands
from inspector.engine.spec import FeatureSpec
from inspector.errors import UserError

# Per preset: backbone, input size, memory-bank cap. ``accurate`` <= 50 ms, ``fast`` <= 20 ms
# per image. Lite2 is the most accurate backbone measured (+0.013 mean image AUROC at K=10
# over Lite0); measured on 2 cores: about 24 ms (accurate) and 12 ms (fast) per 512 px image.
PRESETS: dict[str, dict[str, int | str]] = {
    "accurate": {"backbone": "lite2", "image_size": 256, "max_bank": 4096},
    "fast": {"backbone": "lite0", "image_size": 192, "max_bank": 2048},
}


@dataclass(frozen=True)
class EngineConfig:
    """How to train a model; unset fields come from the preset."""

    preset: str = "accurate"
    backbone: str | None = None  # None: the preset's
    image_size: int | None = None
    stages: tuple[int, ...] = (2, 4)
    keep_aspect: bool = False
    max_bank: int | None = None
    coreset_pool: int = 40000  # random pre-subsample before k-center (speed with 200 images)
    folds: int = 5
    target_frr: float = 0.01
    uncertain_frr: float | None = None
    use_synthetic: bool = True
    use_defect_bank: bool = True
    # Patches of synthetic defects on the goods join the defect bank (synthetic_bank.py).
    synthetic_bank: bool = True
    defect_beta: float = 1.0
    severity: SeverityBands = field(default_factory=SeverityBands)
    smooth_sigma: float = 0.0  # smoothing before the image score (heat maps use 1.0)
    top_fraction: float = 0.01
    # Share of each image's own median patch score subtracted from its image score
    # (scoring.image_scores): local defects stand out, global shifts count less.
    baseline_weight: float = 0.5
    # Coarse context score: kNN of stride-32 (stage 5) features, added to the patch score
    # with weight coarse_weight after normalising both by their held-out good medians.
    # Off by default: +0.004 mean AUROC but noisier held-out goods -> lower recall at the
    # calibrated threshold (docs/engine.md).
    coarse_weight: float = 0.0
    # L2-normalise each patch feature (cosine kNN). Off by default: +0.005 mean image
    # AUROC but pixel AUROC -0.10 and lower recall at the calibrated threshold.
    l2_normalize: bool = False
    coarse_stage: int = 5
    coarse_top: float = 0.05
    seed: int = 0
    # Inspection region (left, top, right, bottom as fractions of the image); None: all.
    region: tuple[float, float, float, float] | None = None
    # Images are shrunk to 2x the input side before features (engine.working_size).
    working_size: bool = True
    # Local-density normalisation of patch distances (engine.density): "auto" lets
    # training decide per product from held-out goods vs labelled defects (off without).
    local_density: str = "auto"
    density_k: int = 9
    # With local density, a defect-bank bonus is weighted like the distance it is added to
    # (scoring.bonus); False: the bonus in raw units, as models saved before it did.
    local_bonus: bool = True

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise UserError(f"unknown preset {self.preset!r}; use one of {', '.join(PRESETS)}")
        if self.image_size is not None and (self.image_size < 64 or self.image_size % 32):
            raise UserError("image_size must be a multiple of 32 and at least 64")
        if self.coarse_weight < 0:
            raise UserError("coarse_weight must be >= 0")
        if not 0 <= self.baseline_weight < 1:
            raise UserError("baseline_weight must be in [0, 1)")
        if not 0 < self.target_frr < 0.5:
            raise UserError("target false-reject rate must be between 0 and 0.5")
        if self.local_density not in ("auto", "on", "off"):
            raise UserError("local_density must be auto, on or off")
        if self.density_k < 1:
            raise UserError("density_k must be at least 1")
        if self.region is not None:
            object.__setattr__(self, "region", tuple(Region.from_seq(self.region).as_list()))

    def inspection_region(self) -> Region | None:
        """The region every image is cropped to before features (None: whole image)."""
        return Region.from_seq(self.region)

    def resolved(self) -> EngineConfig:
        """A copy with the preset's values filled in."""
        p = PRESETS[self.preset]
        return replace(
            self,
            backbone=self.backbone or str(p["backbone"]),
            image_size=self.image_size or int(p["image_size"]),
            max_bank=self.max_bank or int(p["max_bank"]),
        )

    def feature_spec(self) -> FeatureSpec:
        r = self.resolved()
        coarse = r.coarse_stage if r.coarse_weight > 0 else None
        return FeatureSpec(r.backbone, int(r.image_size or 0), tuple(r.stages), 3, r.keep_aspect,
                           coarse, r.l2_normalize)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["stages"] = list(self.stages)
        d["region"] = None if self.region is None else list(self.region)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> EngineConfig:
        d = dict(d)
        d["stages"] = tuple(d.get("stages", (2, 4)))
        d["region"] = None if d.get("region") is None else tuple(d["region"])
        # The first model files (format 1, before top_fraction existed) scored an image by
        # the maximum of its smoothed map: top_fraction 0 is one patch, the maximum.
        d.setdefault("top_fraction", 0.0)
        d.setdefault("baseline_weight", 0.0)  # saved before it existed: plain top-1 % mean
        d.setdefault("l2_normalize", False)  # saved before the option existed: not normalised
        d.setdefault("backbone", "lite0")  # the only backbone before presets chose one
        d.setdefault("working_size", False)  # saved before it existed: full-size images
        d.setdefault("local_density", "off")  # saved before it existed: plain distances
        d.setdefault("synthetic_bank", False)  # saved before it existed: no synthetic rows
        d.setdefault("local_bonus", False)  # saved before it existed: raw-unit bonus
        d["severity"] = SeverityBands.from_dict(d.get("severity", {}))
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)
