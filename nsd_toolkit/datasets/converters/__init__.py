"""Conversion of the toolkit's multi-view format to other layouts, and of
capture datasets to it."""
from .boxing import export_boxing
from .to_nsd import (campus_shelf_to_nsd, h36m_to_nsd, panoptic_to_nsd,
                     write_nsd_dataset)

__all__ = [
    'campus_shelf_to_nsd', 'export_boxing', 'h36m_to_nsd', 'panoptic_to_nsd',
    'write_nsd_dataset'
]
