from .multiview_data_sample import MultiViewDataSample

__all__ = ['MultiViewDataSample']
