"""Patch memory banks: greedy k-center coreset and chunked nearest-neighbour distances."""

from __future__ import annotations

import torch

from inspector.progress import CancelToken, ProgressCallback, check, report


def coreset_indices(
    rows: torch.Tensor,
    n_select: int,
    proj_dim: int = 32,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> torch.Tensor:
    """Greedy k-center selection (PatchCore) on a random projection, for speed.

    Each step picks the row farthest from everything chosen so far, so rare patches
    (the ones that matter for anomaly detection) survive while repeats are dropped.
    """
    n = rows.shape[0]
    if n_select >= n:
        return torch.arange(n)
    gen = torch.Generator().manual_seed(seed)
    if rows.shape[1] > proj_dim:
        proj = torch.randn(rows.shape[1], proj_dim, generator=gen) / proj_dim**0.5
        z = rows @ proj
    else:
        z = rows
    zt = z.T.contiguous()
    zz = (z * z).sum(1)
    chosen = torch.empty(n_select, dtype=torch.long)
    idx = int(torch.randint(n, (1,), generator=gen))
    min_d = torch.full((n,), float("inf"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny ops: thread start-up costs more than it saves
    try:
        for i in range(n_select):
            chosen[i] = idx
            d = (z[idx] @ zt).mul_(-2.0).add_(zz).add_(zz[idx])  # ||z - c||^2, one gemv
            torch.minimum(min_d, d, out=min_d)
            idx = int(torch.argmax(min_d))
            if i % 256 == 0:
                check(cancel)
                report(progress, i / n_select, "selecting memory bank")
    finally:
        torch.set_num_threads(threads)
    return chosen


def nn_distance(
    query: torch.Tensor,
    bank: torch.Tensor,
    bank_sq: torch.Tensor | None = None,
    exclude: torch.Tensor | None = None,
    chunk: int = 4096,
    weights: torch.Tensor | None = None,
) -> torch.Tensor:
    """Euclidean distance from each query row to its nearest bank row.

    ``exclude`` (optional, bool per bank row) masks rows out, for leave-out scoring.
    ``weights`` (optional, one per bank row) multiplies each distance by its nearest
    row's weight (local-density normalisation, engine.density).
    Uses ||q||^2 + ||b||^2 - 2 q.b in chunks (a BLAS matmul, no faiss needed).
    """
    if weights is not None:
        d, idx = nn_search(query, bank, bank_sq, exclude, chunk)
        return d * weights[idx]
    bank_sq = _bank_sq(bank, bank_sq, exclude)
    out = torch.empty(query.shape[0])
    for s in range(0, query.shape[0], chunk):
        q = query[s : s + chunk]
        d = torch.addmm(bank_sq, q, bank.T, alpha=-2.0)  # ||b||^2 - 2 q.b
        out[s : s + chunk] = d.amin(1) + (q * q).sum(1)  # amin: no indices, ~1.5x faster
    return out.clamp_min_(0).sqrt_()


def _bank_sq(
    bank: torch.Tensor, bank_sq: torch.Tensor | None, exclude: torch.Tensor | None
) -> torch.Tensor:
    """Squared row norms of the bank, +inf on excluded rows (they can never be nearest)."""
    sq = (bank * bank).sum(1) if bank_sq is None else bank_sq
    return sq if exclude is None else sq.masked_fill(exclude, float("inf"))


def nn_search(
    query: torch.Tensor,
    bank: torch.Tensor,
    bank_sq: torch.Tensor | None = None,
    exclude: torch.Tensor | None = None,
    chunk: int = 4096,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Like ``nn_distance`` but also returns the index of each nearest bank row."""
    bank_sq = _bank_sq(bank, bank_sq, exclude)
    dist = torch.empty(query.shape[0])
    index = torch.empty(query.shape[0], dtype=torch.long)
    for s in range(0, query.shape[0], chunk):
        q = query[s : s + chunk]
        d = torch.addmm(bank_sq, q, bank.T, alpha=-2.0)
        v, i = d.min(1)
        dist[s : s + chunk] = v + (q * q).sum(1)
        index[s : s + chunk] = i
    return dist.clamp_min_(0).sqrt_(), index


def kth_neighbour_distance(
    rows: torch.Tensor,
    owner: torch.Tensor,
    ref: torch.Tensor,
    ref_owner: torch.Tensor,
    k: int,
    chunk: int = 512,
) -> torch.Tensor:
    """Distance from each row to its k-th nearest ``ref`` row of another image.

    ``owner`` / ``ref_owner`` say which training image each row came from, so a patch's
    neighbours in its own image (which always look alike) do not count.
    """
    k = max(1, min(k, ref.shape[0]))
    ref_sq = (ref * ref).sum(1)
    out = torch.empty(rows.shape[0])
    for s in range(0, rows.shape[0], chunk):
        q = rows[s : s + chunk]
        d = torch.addmm(ref_sq, q, ref.T, alpha=-2.0).add_((q * q).sum(1, keepdim=True))
        d.masked_fill_(owner[s : s + chunk, None] == ref_owner[None, :], float("inf"))
        out[s : s + chunk] = d.topk(k, dim=1, largest=False).values[:, -1]
    return out.clamp_min_(0).sqrt_()
