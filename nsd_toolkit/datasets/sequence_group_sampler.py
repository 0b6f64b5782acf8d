"""An infinite training sampler whose indices come in groups of moments of one
sequence, so that every sample of a batch has other moments of its sequence
beside it (``NSD(appearance_from_other_moment=True)``)."""
import itertools
from typing import Dict, Iterator, List, Optional, Sized

import torch
from mmengine.dataset import InfiniteSampler

from nsd_toolkit.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class SequenceGroupSampler(InfiniteSampler):
    """Shuffled groups of ``group_size`` moments of the same sequence.

    Each pass over the data shuffles every sequence's samples, cuts them into
    groups of ``group_size`` (a sequence's last ``len % group_size``
    shuffled samples wait for the next pass) and shuffles the groups; the
    indices are the groups one after the other. With a batch size that is a
    multiple of ``group_size``, every group lands in one batch, so each
    sample meets ``group_size - 1`` other moments of its sequence there;
    with ``group_size=1`` each pass is a shuffle of all samples.
    Distributed ranks take every ``world_size``-th group, so groups are never
    split across ranks.

    A subclass of mmengine's ``InfiniteSampler``: ``--resume`` skips the
    trained batches as for it (``FastResumeHook``).

    Args:
        dataset: A dataset whose data infos carry ``seq`` (the sequence's
            name), one info per moment of a sequence.
        group_size: Moments of a sequence per group, >= 1; every sequence
            needs at least that many samples.
        seed: Random seed; None draws one shared by the ranks.
    """

    def __init__(self, dataset: Sized, group_size: int = 2,
                 seed: Optional[int] = None) -> None:
        if int(group_size) != group_size or group_size < 1:
            raise ValueError('SequenceGroupSampler: group_size must be an '
                             f'integer >= 1, got {group_size!r}')
        self.group_size = int(group_size)
        self.sequences = self._sequence_indices(dataset)
        short = [name for name, indices in self.sequences.items()
                 if len(indices) < self.group_size]
        if short:
            raise ValueError(
                f'SequenceGroupSampler: sequence(s) {short} have fewer than '
                f'group_size={self.group_size} samples')
        super().__init__(dataset, shuffle=True, seed=seed)

    @staticmethod
    def _sequence_indices(dataset: Sized) -> Dict[str, torch.Tensor]:
        """Sequence name -> [n] long tensor of its sample indices."""
        groups = {}
        for index in range(len(dataset)):
            info = dataset.get_data_info(index)
            if 'seq' not in info:
                raise KeyError(
                    f'SequenceGroupSampler: the data info {index} of '
                    f'{type(dataset).__name__} has no "seq" key')
            groups.setdefault(info['seq'], []).append(index)
        return {name: torch.tensor(indices)
                for name, indices in groups.items()}

    def _groups(self, generator: torch.Generator) -> torch.Tensor:
        """One pass: [G, group_size] indices, shuffled as the class says."""
        groups = []
        for indices in self.sequences.values():
            shuffled = indices[torch.randperm(len(indices),
                                              generator=generator)]
            usable = len(indices) - len(indices) % self.group_size
            groups.append(shuffled[:usable].view(-1, self.group_size))
        groups = torch.cat(groups)
        return groups[torch.randperm(len(groups), generator=generator)]

    def _infinite_groups(self) -> Iterator[List[int]]:
        generator = torch.Generator()
        generator.manual_seed(self.seed)
        while True:
            yield from self._groups(generator).tolist()

    def _indices_of_rank(self) -> Iterator[int]:
        """This rank's groups (every ``world_size``-th), flattened."""
        yield from itertools.chain.from_iterable(
            itertools.islice(self._infinite_groups(), self.rank, None,
                             self.world_size))
